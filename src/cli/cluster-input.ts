// The options every cluster command shares (-f, --nodes, --placement, ...), and running a
// command body so that bad input becomes a message and exit code 2, never a stack trace.

import type { Command } from 'commander';
import type { ClusterOptions } from '../cluster/build.js';
import type { Placement } from '../cluster/placement.js';
import { InputError } from '../input/problems.js';
import { type ManifestDoc, readManifestFiles } from '../io/read-manifests.js';
import { issueLines } from './terminal-text.js';

export interface ClusterFlags {
  readonly filename: string[];
  readonly nodes?: string;
  readonly placement?: string;
  readonly nodePortRange?: string;
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
}

export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: 0 | 1 | 2;
}

export function addClusterOptions(command: Command): Command {
  return command
    .requiredOption('-f, --filename <files...>', 'manifest files (multi-document YAML)')
    .option('--nodes <n>', 'number of nodes when the manifests list none (default 1, named minikube)')
    .option('--placement <policy>', 'spread | packed | pods per node, e.g. 1,2,3')
    .option('--node-port-range <range>', 'the apiserver --service-node-port-range', '30000-32767');
}

function usage(message: string): never {
  throw new InputError([{ path: '', message }]);
}

export function clusterOptions(flags: ClusterFlags): ClusterOptions {
  let nodes: number | undefined;
  if (flags.nodes !== undefined) {
    nodes = Number(flags.nodes);
    if (!Number.isInteger(nodes) || nodes < 1) usage(`--nodes: Invalid value: "${flags.nodes}": expected a positive integer`);
  }
  let placement: Placement | undefined;
  if (flags.placement === 'spread' || flags.placement === 'packed') placement = flags.placement;
  else if (flags.placement !== undefined) {
    const counts = flags.placement.split(',').map(Number);
    if (counts.some((n) => !Number.isInteger(n) || n < 0)) usage(`--placement: Invalid value: "${flags.placement}": expected spread, packed or pod counts such as 1,2,3`);
    placement = counts;
  }
  return {
    ...(nodes === undefined ? {} : { nodes }),
    ...(placement === undefined ? {} : { placement }),
    ...(flags.nodePortRange === undefined ? {} : { nodePortRange: flags.nodePortRange }),
  };
}

/** Reads the manifests and runs `body`; an InputError becomes its message on stderr and exit 2. */
export function runWithInput(flags: ClusterFlags, body: (docs: ManifestDoc[], options: ClusterOptions) => CommandResult, read = readManifestFiles): CommandResult {
  try {
    const options = clusterOptions(flags);
    return body(read(flags.filename), options);
  } catch (error) {
    if (error instanceof InputError) return { stdout: '', stderr: issueLines(error.issues), exitCode: 2 };
    throw error;
  }
}

/** The only place results meet the process. */
export function emit(result: CommandResult): void {
  if (result.stdout !== '') process.stdout.write(result.stdout);
  if (result.stderr !== '') process.stderr.write(result.stderr);
  process.exitCode = result.exitCode;
}
