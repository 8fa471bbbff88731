// `nodeport-sim rules -f FILE... --mode iptables|ipvs|nftables|ebpf [--node NAME] [--format save] [-o json]`:
// print the rules kube-proxy (or Cilium's eBPF maps) would program on a node, as the mode's own
// text or as JSON per service port. Takes the same cluster options as get and describe (-f, -R,
// --nodes, --placement, the ranges), so any generated node can be printed; --node may be left out
// when the cluster has one node.

import type { Command } from 'commander';
import { buildCluster } from '../../cluster/build.js';
import { nodeRulesObject } from '../../kubectl/node-rules.js';
import { formatJson } from '../../kubectl/print-objects.js';
import { MAGLEV_TABLE_SIZES } from '../../proxy/maglev.js';
import { RULES_FORMATS, type RulesFormat, renderNodeRules } from '../../proxy/render.js';
import { buildServicePorts } from '../../proxy/service-map.js';
import {
  DEFAULT_EBPF,
  EBPF_ALGORITHMS,
  EBPF_NODEPORT_MODES,
  type EbpfAlgorithm,
  type EbpfNodePortMode,
  IPVS_SCHEDULERS,
  type IpvsScheduler,
  PROXY_MODES,
  type ProxyMode,
} from '../../proxy/types.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput, verboseText } from '../cluster-input.js';

export interface RulesFlags extends ClusterFlags {
  readonly mode?: string;
  readonly node?: string;
  readonly ipvsScheduler?: string;
  readonly format?: string;
  readonly output?: string;
  readonly bpfLbAlgorithm?: string;
  readonly bpfLbMode?: string;
  readonly bpfLbMaglevTableSize?: string;
}

const usage = (message: string): CommandResult => ({ stdout: '', stderr: `error: rules: ${message}\n`, exitCode: 2 });

export function runRules(flags: RulesFlags): CommandResult {
  const mode = (flags.mode ?? 'iptables') as ProxyMode;
  const scheduler = (flags.ipvsScheduler ?? 'rr') as IpvsScheduler;
  const format = (flags.format ?? 'restore') as RulesFormat;
  const algorithm = (flags.bpfLbAlgorithm ?? DEFAULT_EBPF.algorithm) as EbpfAlgorithm;
  const nodePortMode = (flags.bpfLbMode ?? DEFAULT_EBPF.nodePortMode) as EbpfNodePortMode;
  const tableSize = Number(flags.bpfLbMaglevTableSize ?? DEFAULT_EBPF.maglevTableSize);
  if (flags.output !== undefined && flags.output !== 'json') return usage(`--output ${flags.output}: expected json (or no --output for the mode's own text)`);
  if (!RULES_FORMATS.includes(format)) return usage(`--format ${format}: expected one of ${RULES_FORMATS.join(', ')}`);
  if (!PROXY_MODES.includes(mode)) return usage(`--mode ${mode}: expected one of ${PROXY_MODES.join(', ')}`);
  if (!IPVS_SCHEDULERS.includes(scheduler)) return usage(`--ipvs-scheduler ${scheduler}: expected one of ${IPVS_SCHEDULERS.join(', ')}`);
  if (!EBPF_ALGORITHMS.includes(algorithm)) return usage(`--bpf-lb-algorithm ${algorithm}: expected one of ${EBPF_ALGORITHMS.join(', ')}`);
  if (!EBPF_NODEPORT_MODES.includes(nodePortMode)) return usage(`--bpf-lb-mode ${nodePortMode}: expected one of ${EBPF_NODEPORT_MODES.join(', ')}`);
  if (!(MAGLEV_TABLE_SIZES as readonly number[]).includes(tableSize)) return usage(`--bpf-lb-maglev-table-size ${flags.bpfLbMaglevTableSize}: expected one of ${MAGLEV_TABLE_SIZES.join(', ')}`);
  // '' turns kube-proxy's local-traffic detector off; it is no pod range to allocate from.
  const detectorOff = flags.clusterCidr === '';
  return runWithInput({ ...flags, ...(detectorOff ? { clusterCidr: undefined } : {}) }, (docs, options) => {
    const { cluster, notes } = buildCluster(docs, options);
    const names = cluster.nodes.map((n) => n.name);
    if (flags.node === undefined && cluster.nodes.length !== 1) return usage(`--node: the cluster has ${cluster.nodes.length} nodes; name one of ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', ...' : ''}`);
    const node = cluster.nodes.find((n) => n.name === (flags.node ?? names[0]));
    if (node === undefined) return usage(`--node ${flags.node}: no such node in ${flags.filename.join(', ')}`);
    const compile = {
      nodeIP: node.ip,
      ipvsScheduler: scheduler,
      podCIDR: detectorOff ? '' : (cluster.ranges?.podCIDR ?? ''),
      ebpf: { algorithm, nodePortMode, maglevTableSize: tableSize },
    };
    const servicePorts = buildServicePorts(cluster);
    const stdout = flags.output === 'json' ? formatJson(nodeRulesObject(mode, node.name, servicePorts, compile)) : renderNodeRules(mode, node.name, servicePorts, compile, format);
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
      .option('--format <format>', `text format: ${RULES_FORMATS.join('|')} (restore: what kube-proxy writes; save: what iptables-save, ipset and ipvsadm -Sn print)`, 'restore')
      .option('-o, --output <format>', 'json: per service port, its endpoints and its chains, map entries or virtual server')
      .option('--bpf-lb-algorithm <name>', `eBPF backend selection: ${EBPF_ALGORITHMS.join('|')}`, DEFAULT_EBPF.algorithm)
      .option('--bpf-lb-mode <name>', `eBPF NodePort forwarding: ${EBPF_NODEPORT_MODES.join('|')}`, DEFAULT_EBPF.nodePortMode)
      .option('--bpf-lb-maglev-table-size <n>', `eBPF Maglev table size: ${MAGLEV_TABLE_SIZES.join('|')}`, String(DEFAULT_EBPF.maglevTableSize)),
  ).action((flags: RulesFlags) => emit(runRules(flags)));
}
