// `nodeport-sim rules -f FILE... --mode iptables|ipvs|nftables [--node NAME] [-o json]`: print the
// rules kube-proxy would program on a node, as the mode's own text or as JSON per service port.
// Takes the same cluster options as get and describe (-f, -R, --nodes, --placement, the ranges),
// so any generated node can be printed; --node may be left out when the cluster has one node.

import type { Command } from 'commander';
import { buildCluster } from '../../cluster/build.js';
import { nodeRulesObject } from '../../kubectl/node-rules.js';
import { formatJson } from '../../kubectl/print-objects.js';
import { renderNodeRules } from '../../proxy/render.js';
import { buildServicePorts } from '../../proxy/service-map.js';
import { IPVS_SCHEDULERS, type IpvsScheduler, PROXY_MODES, type ProxyMode } from '../../proxy/types.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput, verboseText } from '../cluster-input.js';

export interface RulesFlags extends ClusterFlags {
  readonly mode?: string;
  readonly node?: string;
  readonly ipvsScheduler?: string;
  readonly output?: string;
}

const usage = (message: string): CommandResult => ({ stdout: '', stderr: `error: rules: ${message}\n`, exitCode: 2 });

export function runRules(flags: RulesFlags): CommandResult {
  const mode = (flags.mode ?? 'iptables') as ProxyMode;
  const scheduler = (flags.ipvsScheduler ?? 'rr') as IpvsScheduler;
  if (flags.output !== undefined && flags.output !== 'json') return usage(`--output ${flags.output}: expected json (or no --output for the mode's own text)`);
  if (!PROXY_MODES.includes(mode)) return usage(`--mode ${mode}: expected one of ${PROXY_MODES.join(', ')}`);
  if (!IPVS_SCHEDULERS.includes(scheduler)) return usage(`--ipvs-scheduler ${scheduler}: expected one of ${IPVS_SCHEDULERS.join(', ')}`);
  // '' turns kube-proxy's local-traffic detector off; it is no pod range to allocate from.
  const detectorOff = flags.clusterCidr === '';
  return runWithInput({ ...flags, ...(detectorOff ? { clusterCidr: undefined } : {}) }, (docs, options) => {
    const { cluster, notes } = buildCluster(docs, options);
    const names = cluster.nodes.map((n) => n.name);
    if (flags.node === undefined && cluster.nodes.length !== 1) return usage(`--node: the cluster has ${cluster.nodes.length} nodes; name one of ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}`);
    const node = cluster.nodes.find((n) => n.name === (flags.node ?? names[0]));
    if (node === undefined) return usage(`--node ${flags.node}: no such node in ${flags.filename.join(', ')}`);
    const compile = { nodeIP: node.ip, ipvsScheduler: scheduler, podCIDR: detectorOff ? '' : (cluster.ranges?.podCIDR ?? '') };
    const servicePorts = buildServicePorts(cluster);
    const stdout = flags.output === 'json' ? formatJson(nodeRulesObject(mode, node.name, servicePorts, compile)) : renderNodeRules(mode, node.name, servicePorts, compile);
    return { stdout, stderr: verboseText(flags, cluster, notes), exitCode: 0 };
  });
}

export function registerRules(program: Command): Command {
  return addClusterOptions(
    program
      .command('rules')
      .description('print the rules kube-proxy would program on a node')
      .option('--mode <mode>', `proxy mode: ${PROXY_MODES.join('|')}`, 'iptables')
      .option('--node <name>', 'node whose rules to print (optional when the cluster has one node)')
      .option('--ipvs-scheduler <name>', `IPVS scheduler: ${IPVS_SCHEDULERS.join('|')}`, 'rr')
      .option('-o, --output <format>', 'json: per service port, its endpoints and its chains, map entries or virtual server'),
  ).action((flags: RulesFlags) => emit(runRules(flags)));
}
