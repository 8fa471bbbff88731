// What every proxy mode compiles to: a per-node table the simulator asks once per new connection.

import type { ServicePortInfo } from './service-map.js';

export type ProxyMode = 'iptables' | 'ipvs' | 'nftables';
export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'ipvs', 'nftables'];

/** Modelled CPU cost of the data path (DESIGN.md §3.4 gives each default's source). */
export interface CostModel {
  readonly iptablesRuleNs: number;
  readonly ipvsLookupNs: number;
  readonly nftablesLookupNs: number;
  readonly conntrackHitNs: number;
}

export const DEFAULT_COSTS: CostModel = {
  // Derived from the nftables blog (2025-02-28) first-packet p50 at 10k vs 30k services
  // (~20 ns/rule) and Tigera's CPU at 10k services (~13 ns/rule).
  iptablesRuleNs: 15,
  // O(1) hash + ipset; Tigera: IPVS stays flat up to 10k services.
  ipvsLookupNs: 300,
  // O(1) verdict map; the blog: nftables p50 is about iptables' p01.
  nftablesLookupNs: 200,
  // Established flows are translated from conntrack and skip the nat walk.
  conntrackHitNs: 100,
};

/**
 * Negative results of `connect`. A result >= 0 is an index into
 * `servicePorts[sp].endpoints` of the table that answered.
 */
export const Verdict = {
  /** No rule for this port: the packet reaches the host, which answers RST. */
  NoService: -1,
  /** Local policy and no local endpoint: filter-table DROP, the client retransmits. */
  Drop: -2,
  /** No endpoints at all: filter-table REJECT, the client sees connection refused. */
  Reject: -3,
} as const;

export interface NodeProxyTable {
  readonly mode: ProxyMode;
  readonly nodeName: string;
  /** The snapshot this table was compiled from; endpoint indexes refer to it. */
  readonly servicePorts: readonly ServicePortInfo[];
  /** Index of the service port listening on `nodePort`, or -1. O(1). */
  servicePortForNodePort(nodePort: number): number;
  /**
   * Routes the first packet of a new connection from `clientIp` (IPv4 as uint32) to this
   * node's `nodePort`. Returns an endpoint index or a Verdict. O(1) in the number of
   * services; allocation-free. Afterwards `lastRulesWalked`, `lastCostNs` and
   * `lastMasquerade` describe the walk.
   */
  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number): number;
  readonly lastRulesWalked: number;
  readonly lastCostNs: number;
  /** Whether the connection is SNATed to the node's IP (Cluster policy). */
  readonly lastMasquerade: boolean;
}
