// `nodeport-sim rules -f FILE... --mode iptables|ipvs|nftables|ebpf --node NAME [-o json]`: print
// the rules kube-proxy (or Cilium's eBPF maps) would program on a node, as the mode's own text or
// as JSON per service port. The manifest loader is injected so this file stays independent of the
// YAML reader.

import type { Command } from 'commander';
import { nodeRulesObject } from '../../kubectl/node-rules.js';
import { formatJson } from '../../kubectl/print-objects.js';
import { RULES_FORMATS, type RulesFormat, renderNodeRules } from '../../proxy/render.js';
import type { ServicePortInfo } from '../../proxy/service-map.js';
import { MAGLEV_TABLE_SIZES } from '../../proxy/maglev.js';
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

export interface LoadedServicePorts {
  readonly servicePorts: readonly ServicePortInfo[];
  /** Node name → InternalIP, for IPVS virtual servers. */
  readonly nodeIPs: ReadonlyMap<string, string>;
}

export type LoadServicePorts = (files: readonly string[]) => Promise<LoadedServicePorts>;

/** main passes the loader that reads the manifests and builds the cluster's service ports. */
export function registerRules(program: Command, loadServicePorts: LoadServicePorts): Command {
  return program
    .command('rules')
    .description('print the rules kube-proxy would program on a node')
    .requiredOption('-f, --file <file...>', 'manifest files (Services, EndpointSlices, Nodes, Pods)')
    .option('--mode <mode>', `proxy mode: ${PROXY_MODES.join('|')}`, 'iptables')
    .requiredOption('--node <name>', 'node whose rules to print')
    .option('--ipvs-scheduler <name>', `IPVS scheduler: ${IPVS_SCHEDULERS.join('|')}`, 'rr')
    .option('--cluster-cidr <cidr>', "pod CIDR for kube-proxy's local-traffic detector ('' for none)")
    .option('--format <format>', `text format: ${RULES_FORMATS.join('|')} (restore: what kube-proxy writes; save: what iptables-save, ipset and ipvsadm -Sn print)`, 'restore')
    .option('-o, --output <format>', 'json: per service port, its endpoints and its chains, map entries or virtual server')
    .option('--bpf-lb-algorithm <name>', `eBPF backend selection: ${EBPF_ALGORITHMS.join('|')}`, DEFAULT_EBPF.algorithm)
    .option('--bpf-lb-mode <name>', `eBPF NodePort forwarding: ${EBPF_NODEPORT_MODES.join('|')}`, DEFAULT_EBPF.nodePortMode)
    .option('--bpf-lb-maglev-table-size <n>', `eBPF Maglev table size: ${MAGLEV_TABLE_SIZES.join('|')}`, String(DEFAULT_EBPF.maglevTableSize))
    .action(
      async (opts: {
        file: string[];
        mode: string;
        node: string;
        ipvsScheduler: string;
        clusterCidr?: string;
        format: string;
        output?: string;
        bpfLbAlgorithm: string;
        bpfLbMode: string;
        bpfLbMaglevTableSize: string;
      }) => {
      if (opts.output !== undefined && opts.output !== 'json') {
        console.error(`rules: --output ${opts.output}: expected json (or no --output for the mode's own text)`);
        process.exitCode = 2;
        return;
      }
      if (!RULES_FORMATS.includes(opts.format as RulesFormat)) {
        console.error(`rules: --format ${opts.format}: expected one of ${RULES_FORMATS.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      if (!PROXY_MODES.includes(opts.mode as ProxyMode)) {
        console.error(`rules: --mode ${opts.mode}: expected one of ${PROXY_MODES.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      if (!IPVS_SCHEDULERS.includes(opts.ipvsScheduler as IpvsScheduler)) {
        console.error(`rules: --ipvs-scheduler ${opts.ipvsScheduler}: expected one of ${IPVS_SCHEDULERS.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const usage = (flag: string, value: string, expected: readonly (string | number)[]) => {
        console.error(`rules: ${flag} ${value}: expected one of ${expected.join(', ')}`);
        process.exitCode = 2;
      };
      const tableSize = Number(opts.bpfLbMaglevTableSize);
      if (!EBPF_ALGORITHMS.includes(opts.bpfLbAlgorithm as EbpfAlgorithm)) return usage('--bpf-lb-algorithm', opts.bpfLbAlgorithm, EBPF_ALGORITHMS);
      if (!EBPF_NODEPORT_MODES.includes(opts.bpfLbMode as EbpfNodePortMode)) return usage('--bpf-lb-mode', opts.bpfLbMode, EBPF_NODEPORT_MODES);
      if (!(MAGLEV_TABLE_SIZES as readonly number[]).includes(tableSize)) return usage('--bpf-lb-maglev-table-size', opts.bpfLbMaglevTableSize, MAGLEV_TABLE_SIZES);
      const loaded = await loadServicePorts(opts.file);
      const nodeIP = loaded.nodeIPs.get(opts.node);
      if (nodeIP === undefined) {
        console.error(`rules: --node ${opts.node}: no such node in ${opts.file.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const options = {
        nodeIP,
        ipvsScheduler: opts.ipvsScheduler as IpvsScheduler,
        ebpf: { algorithm: opts.bpfLbAlgorithm as EbpfAlgorithm, nodePortMode: opts.bpfLbMode as EbpfNodePortMode, maglevTableSize: tableSize },
        ...(opts.clusterCidr !== undefined ? { podCIDR: opts.clusterCidr } : {}),
      };
      const mode = opts.mode as ProxyMode;
      process.stdout.write(
        opts.output === 'json' ? formatJson(nodeRulesObject(mode, opts.node, loaded.servicePorts, options)) : renderNodeRules(mode, opts.node, loaded.servicePorts, options, opts.format as RulesFormat),
      );
      },
    );
}
