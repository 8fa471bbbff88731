// One entry point for every mode: a node's services and endpoints in, its lookup table out. A
// table is the part every node of a snapshot shares (`SharedTables`, compiled once) plus the
// node's own part, which its constructor compiles.

import type { SharedChainTables } from './chain-walk.js';
import { EbpfTable, type SharedEbpf, sharedEbpf } from './ebpf.js';
import { IptablesTable, sharedIptables } from './iptables.js';
import { IpvsTable, type SharedIpvs, sharedIpvs } from './ipvs.js';
import { NftablesTable, sharedNftables } from './nftables.js';
import { endpointsOnlyChanged, type PreviousShared } from './partial-sync.js';
import type { ServicePortInfo } from './service-map.js';
import type { CompileOptions, CostModel, NodeProxyTable, ProxyMode } from './types.js';

/** What kube-proxy computes identically on the nodes of one snapshot (and zone, with zone hints), per mode. */
export type SharedTables =
  | { readonly mode: 'iptables'; readonly chains: SharedChainTables }
  | { readonly mode: 'nftables'; readonly chains: SharedChainTables }
  | { readonly mode: 'ipvs'; readonly ipvs: SharedIpvs }
  | { readonly mode: 'ebpf'; readonly ebpf: SharedEbpf };

/**
 * The shared part of every node's table; `options` holds the zone it is for, not a node's name or
 * address. With `previous` (compiled with the same options) a partial sync: only the changed
 * service ports are compiled again, when nothing but their endpoints changed; else all are.
 */
export function compileSharedTables(mode: ProxyMode, servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}, previous?: PreviousShared<SharedTables>): SharedTables {
  const from = previous !== undefined && previous.shared.mode === mode && endpointsOnlyChanged(previous, servicePorts) ? previous : undefined;
  const prev = <T>(shared: T | undefined): PreviousShared<T> | undefined => (from === undefined || shared === undefined ? undefined : { shared, servicePorts: from.servicePorts, changed: from.changed });
  const s = from?.shared;
  switch (mode) {
    case 'iptables':
      return { mode, chains: sharedIptables(servicePorts, options, prev(s?.mode === 'iptables' ? s.chains : undefined)) };
    case 'nftables':
      return { mode, chains: sharedNftables(servicePorts, options, prev(s?.mode === 'nftables' ? s.chains : undefined)) };
    case 'ipvs':
      return { mode, ipvs: sharedIpvs(servicePorts, options, prev(s?.mode === 'ipvs' ? s.ipvs : undefined)) };
    case 'ebpf':
      return { mode, ebpf: sharedEbpf(servicePorts, options, prev(s?.mode === 'ebpf' ? s.ebpf : undefined)) };
  }
}

/** `shared`, when given, must have been compiled for `mode` from these very service ports. */
export function compileNodeTable(
  mode: ProxyMode,
  nodeName: string,
  servicePorts: readonly ServicePortInfo[],
  costs: CostModel,
  options: CompileOptions = {},
  shared?: SharedTables,
): NodeProxyTable {
  if (shared !== undefined && shared.mode !== mode) throw new Error(`compileNodeTable: a ${shared.mode} shared part for a ${mode} table`);
  switch (mode) {
    case 'iptables':
      return new IptablesTable(nodeName, servicePorts, costs, options, shared?.mode === 'iptables' ? shared.chains : undefined);
    case 'ipvs':
      return new IpvsTable(nodeName, servicePorts, costs, options, shared?.mode === 'ipvs' ? shared.ipvs : undefined);
    case 'nftables':
      return new NftablesTable(nodeName, servicePorts, costs, options, shared?.mode === 'nftables' ? shared.chains : undefined);
    case 'ebpf':
      return new EbpfTable(nodeName, servicePorts, costs, options, shared?.mode === 'ebpf' ? shared.ebpf : undefined);
  }
}
