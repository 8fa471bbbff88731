// The options every cluster command shares (-f, -R, --nodes, --placement, the address ranges
// under kube-apiserver's and kube-controller-manager's own flag names), and running a command
// body so that bad input becomes a message and exit code 2, never a stack trace.

import type { Command } from 'commander';
import type { ClusterOptions } from '../cluster/build.js';
import type { Cluster } from '../cluster/model.js';
import type { Placement } from '../cluster/placement.js';
import { InputError } from '../input/problems.js';
import { readManifestSources } from '../io/manifest-sources.js';
import type { ManifestDoc } from '../io/read-manifests.js';
import { issueLines } from './terminal-text.js';

export interface ClusterFlags {
  readonly filename: string[];
  readonly nodes?: string;
  readonly placement?: string;
  readonly nodePortRange?: string;
  readonly serviceNodePortRange?: string;
  readonly serviceClusterIpRange?: string;
  readonly clusterCidr?: string;
  readonly nodeCidr?: string;
  readonly recursive?: boolean;
  readonly verbose?: boolean;
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
    .requiredOption('-f, --filename <files...>', 'manifest files, directories or - for stdin (YAML, JSON, lists, cluster-info dump)')
    .option('-R, --recursive', 'read the directories given with -f recursively')
    .option('--nodes <n>', 'number of nodes when the manifests list none (default 1, named minikube)')
    .option('--placement <policy>', 'spread | packed | pods per node, e.g. 1,2,3')
    .option('--service-cluster-ip-range <cidr>', 'the apiserver flag: range of cluster IPs (default 10.96.0.0/12, or read off the input)')
    .option('--cluster-cidr <cidr>', 'the controller-manager flag: range of pod IPs (default 10.244.0.0/16, or read off the input)')
    .option('--node-cidr <cidr>', 'range of node IPs (default 192.168.0.0/16 from 192.168.49.2, or read off the input)')
    .option('--service-node-port-range <range>', 'the apiserver flag: range of nodePorts (default 30000-32767)')
    .option('--node-port-range <range>', 'the same as --service-node-port-range')
    .option('-v, --verbose', 'also print the address ranges used (and which were read off the input) and the objects skipped');
}

/** `--verbose`'s lines, for stderr: the ranges the cluster allocates from and the builder's notes. */
export function verboseText(flags: ClusterFlags, cluster: Cluster, notes: readonly string[]): string {
  if (flags.verbose !== true || cluster.ranges === undefined) return '';
  const r = cluster.ranges;
  const how = (name: 'serviceCIDR' | 'podCIDR' | 'nodeCIDR') => (r.inferred.includes(name) ? ' (the smallest block holding the input\'s addresses)' : '');
  const lines = [
    `service range (--service-cluster-ip-range): ${r.serviceCIDR}${how('serviceCIDR')}`,
    `pod range (--cluster-cidr): ${r.podCIDR}${how('podCIDR')}`,
    `node range (--node-cidr): ${r.nodeCIDR}${how('nodeCIDR')}`,
    `nodePort range (--service-node-port-range): ${r.nodePortRange}`,
    ...notes,
  ];
  return lines.map((l) => `I: ${l}\n`).join('');
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
    ...((flags.serviceNodePortRange ?? flags.nodePortRange) === undefined ? {} : { nodePortRange: flags.serviceNodePortRange ?? flags.nodePortRange }),
    ...(flags.serviceClusterIpRange === undefined ? {} : { serviceCidr: flags.serviceClusterIpRange }),
    ...(flags.clusterCidr === undefined ? {} : { podCidr: flags.clusterCidr }),
    ...(flags.nodeCidr === undefined ? {} : { nodeCidr: flags.nodeCidr }),
  };
}

/** Reads the manifests and runs `body`; an InputError becomes its message on stderr and exit 2. */
export type ReadInput = (sources: readonly string[], recursive: boolean) => ManifestDoc[];

const readSources: ReadInput = (sources, recursive) => readManifestSources(sources, { recursive });

export function runWithInput(flags: ClusterFlags, body: (docs: ManifestDoc[], options: ClusterOptions) => CommandResult, read: ReadInput = readSources): CommandResult {
  try {
    const options = clusterOptions(flags);
    return body(read(flags.filename, flags.recursive === true), options);
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
