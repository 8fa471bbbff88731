// When a node's kube-proxy applies an EndpointSlice change, and for how long it works: the
// BoundedFrequencyRunner's minSyncPeriod (start to start) plus the modelled restore time.
// Pure: it returns times and never schedules anything.

import type { ProxyMode } from './types.js';

export interface SyncConfig {
  /** --*-min-sync-period, measured start to start (kube-proxy default 1 s). */
  readonly minSyncPeriodNs: number;
  /**
   * iptables-restore time per rule restored. kubernetes#96018: 695,992 lines in 12.8 s ≈ 18 µs.
   */
  readonly iptablesRuleNs: number;
  /** Partial restores (KEP-3453, GA 1.28) rewrite only changed services' chains. */
  readonly iptablesPartial: boolean;
  /**
   * nftables per-sync cost per service in the table, from listing it (`nft list`), and per
   * changed service. kubernetes#126013: one new service among 10k took 141 ms ≈ 14 µs per
   * existing service; the per-change term is a calibration guess (0.1 ms).
   */
  readonly nftablesPerServiceNs: number;
  readonly nftablesPerChangeNs: number;
  /**
   * IPVS: netlink calls per changed service (~2 ms, the often-quoted Huawei KubeCon 2017
   * figure, unverified) plus a walk of every service (1 µs each, a calibration guess).
   */
  readonly ipvsPerServiceNs: number;
  readonly ipvsPerChangeNs: number;
  /**
   * eBPF (Cilium): per changed service, the agent's map updates (a bpf() call per backend slot)
   * and its Maglev table rebuild. An estimate (1 ms); the agent never rewrites unchanged services.
   */
  readonly ebpfPerChangeNs: number;
}

export const DEFAULT_SYNC: SyncConfig = {
  minSyncPeriodNs: 1e9,
  iptablesRuleNs: 18_000,
  iptablesPartial: true,
  nftablesPerServiceNs: 14_000,
  nftablesPerChangeNs: 100_000,
  ipvsPerServiceNs: 1_000,
  ipvsPerChangeNs: 2_000_000,
  ebpfPerChangeNs: 1_000_000,
};

/** What a sync has to write, counted by the caller from the node's plan. */
export interface SyncWork {
  /** Service ports in the node's table. */
  readonly services: number;
  /** Service ports whose Service or EndpointSlice changed since the last sync. */
  readonly changedServices: number;
  /** iptables: every rule a full restore writes (filter + nat). */
  readonly totalRules: number;
  /**
   * iptables: rules every sync writes even when partial (KUBE-SERVICES, KUBE-NODEPORTS,
   * KUBE-EXTERNAL-SERVICES, the filter table, POSTROUTING/MARK) plus the changed services'
   * SVC/SVL/EXT/SEP chains.
   */
  readonly partialRules: number;
  /** Full resync (startup, topology change, hourly): ignores partial restore. */
  readonly full?: boolean;
}

export function syncDuration(mode: ProxyMode, work: SyncWork, cfg: SyncConfig = DEFAULT_SYNC): number {
  switch (mode) {
    case 'iptables':
      return (cfg.iptablesPartial && !work.full ? work.partialRules : work.totalRules) * cfg.iptablesRuleNs;
    case 'nftables':
      return work.services * cfg.nftablesPerServiceNs + (work.full ? work.services : work.changedServices) * cfg.nftablesPerChangeNs;
    case 'ipvs':
      return work.services * cfg.ipvsPerServiceNs + (work.full ? work.services : work.changedServices) * cfg.ipvsPerChangeNs;
    case 'ebpf':
      return (work.full ? work.services : work.changedServices) * cfg.ebpfPerChangeNs;
  }
}

/**
 * BoundedFrequencyRunner: a sync starts no sooner than minSyncPeriod after the previous one began.
 * Cilium's agent has no such runner: it writes a service's change to the BPF maps as it sees it.
 */
export const syncStartNs = (observedNs: number, lastStartNs: number, cfg: SyncConfig = DEFAULT_SYNC, mode?: ProxyMode): number =>
  mode === 'ebpf' ? observedNs : Math.max(observedNs, lastStartNs + cfg.minSyncPeriodNs);
