// `nodeport-sim get TYPE[,TYPE...] [NAME...] | TYPE/NAME... -f FILE... [-o wide|name|json|yaml]
// [-l SELECTOR] [--show-labels]`: kubectl get for the cluster the manifests describe.
// Exit 0 when everything asked was found, 1 when a named object was not, 2 for usage.

import type { Command } from 'commander';
import { buildCluster } from '../../cluster/build.js';
import { formatGetAnswer, GET_OUTPUTS, type GetOutput } from '../../kubectl/get-output.js';
import { answerGet, parseGetArguments } from '../../kubectl/get-request.js';
import type { ViewOptions } from '../../kubectl/get-tables.js';
import { parseLabelSelector } from '../../kubectl/label-selector.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput, verboseText } from '../cluster-input.js';

export interface GetFlags extends ClusterFlags {
  readonly output?: string;
  /** RFC 3339 moment AGE counts to; default the newest creationTimestamp of the input. */
  readonly now?: string;
  readonly selector?: string;
  readonly showLabels?: boolean;
}

const usage = (message: string): CommandResult => ({ stdout: '', stderr: `error: ${message}\n`, exitCode: 2 });

/** `resources` as kubectl takes them: `svc`, `svc,pods`, `svc NAME`, `svc/NAME`; one string is one argument. */
export function runGet(resources: string | readonly string[], flags: GetFlags): CommandResult {
  const args = typeof resources === 'string' ? [resources] : resources;
  const output = flags.output;
  if (output !== undefined && !(GET_OUTPUTS as readonly string[]).includes(output)) {
    return usage(`unable to match a printer suitable for the output format "${output}", allowed formats are: ${GET_OUTPUTS.join(',')}`);
  }
  const selector = parseLabelSelector(flags.selector ?? '');
  if (!selector.ok) return usage(`-l ${JSON.stringify(flags.selector)}: ${selector.message}`);
  const request = parseGetArguments(args, selector.selector.length > 0);
  if (!request.ok) return usage(request.message);
  if (request.value.names !== undefined && flags.allNamespaces === true) return usage('a resource cannot be retrieved by name across all namespaces');
  const now = flags.now === undefined ? undefined : Date.parse(flags.now);
  if (now !== undefined && Number.isNaN(now)) return usage(`--now ${JSON.stringify(flags.now)}: expected an RFC 3339 time such as 2024-05-01T12:00:00Z`);
  return runWithInput(flags, (docs, options) => {
    const { cluster, notes } = buildCluster(docs, options);
    const viewOptions: ViewOptions = {
      ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
      allNamespaces: flags.allNamespaces === true,
      showLabels: flags.showLabels === true,
      ...(now === undefined ? {} : { now }),
    };
    const answer = answerGet(cluster, request.value, viewOptions, selector.selector);
    const text = formatGetAnswer(cluster, request.value, answer, output as GetOutput | undefined, viewOptions);
    return { ...text, stderr: verboseText(flags, cluster, notes) + text.stderr, exitCode: answer.notFound.length > 0 ? 1 : 0 };
  });
}

export function registerGet(program: Command): void {
  addClusterOptions(
    program
      .command('get')
      .description('list nodes, pods, services, endpoints, endpointslices or deployments as kubectl get prints them')
      .argument('<resources...>', 'nodes | pods | svc | endpoints | endpointslices | deploy, comma-separated, then names; or TYPE/NAME')
      .option('-o, --output <format>', `output format: ${GET_OUTPUTS.join(' | ')}`)
      .option('-l, --selector <selector>', 'label selector, e.g. app=nginx,tier!=db or env in (prod,qa)')
      .option('--show-labels', 'add a LABELS column')
      .option('--now <time>', 'the moment AGE counts to (RFC 3339); default the newest creationTimestamp in the input')
      .option('-n, --namespace <ns>', 'namespace to list', 'default')
      .option('-A, --all-namespaces', 'list every namespace'),
  ).action((resources: string[], flags: GetFlags) => emit(runGet(resources, flags)));
}
