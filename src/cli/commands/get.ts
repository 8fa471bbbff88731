// `nodeport-sim get nodes|pods|svc|endpoints -f FILE... [-o wide]`: kubectl's tables for the
// cluster the manifests describe.

import type { Command } from 'commander';
import { buildCluster } from '../../cluster/build.js';
import { getEndpoints, getNodes, getPods, getServices, type ViewOptions } from '../../kubectl/get-tables.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput } from '../cluster-input.js';

/** kubectl's names and short names for the resources shown. */
const RESOURCES: Readonly<Record<string, typeof getNodes>> = {
  nodes: getNodes,
  node: getNodes,
  no: getNodes,
  pods: getPods,
  pod: getPods,
  po: getPods,
  services: getServices,
  service: getServices,
  svc: getServices,
  endpoints: getEndpoints,
  ep: getEndpoints,
};

export interface GetFlags extends ClusterFlags {
  readonly output?: string;
}

export function runGet(resource: string, flags: GetFlags): CommandResult {
  const view = RESOURCES[resource];
  if (view === undefined) {
    return { stdout: '', stderr: `error: the server doesn't have a resource type "${resource}" (expected nodes, pods, svc or endpoints)\n`, exitCode: 2 };
  }
  if (flags.output !== undefined && flags.output !== 'wide') {
    return { stdout: '', stderr: `error: unable to match a printer suitable for the output format "${flags.output}", allowed formats are: wide\n`, exitCode: 2 };
  }
  return runWithInput(flags, (docs, options) => {
    const { cluster } = buildCluster(docs, options);
    const viewOptions: ViewOptions = {
      wide: flags.output === 'wide',
      ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
      allNamespaces: flags.allNamespaces === true,
    };
    const text = view(cluster, viewOptions);
    // kubectl reports an empty list on stderr and prints nothing else.
    return text.startsWith('No resources found') ? { stdout: '', stderr: text, exitCode: 0 } : { stdout: text, stderr: '', exitCode: 0 };
  });
}

export function registerGet(program: Command): void {
  addClusterOptions(
    program
      .command('get')
      .description('list nodes, pods, services or endpoints as kubectl get prints them')
      .argument('<resource>', 'nodes | pods | svc | endpoints')
      .option('-o, --output <format>', 'wide for more columns')
      .option('-n, --namespace <ns>', 'namespace to list', 'default')
      .option('-A, --all-namespaces', 'list every namespace'),
  ).action((resource: string, flags: GetFlags) => emit(runGet(resource, flags)));
}
