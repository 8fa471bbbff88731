// How long one kube-proxy sync takes, per mode, from what it has to write. When a sync may start
// is the sync runner's business (sync-runner.ts). Pure: it returns times and schedules nothing.

import type { ProxyMode } from './types.js';

export interface SyncConfig {
  /** --*-min-sync-period: the runner's minInterval, from one sync's end to the next one's start (kube-proxy default 1 s). */
  readonly minSyncPeriodNs: number;
  /**
   * Syncs the runner may run back to back before minSyncPeriod applies: its token bucket's size
   * (sync-runner.ts). kube-proxy up to 1.33 passes burstSyncs = 2 to every proxier's
   * BoundedFrequencyRunner; 1.34 (kubernetes#131615) dropped the bucket, which 1 reproduces.
   */
  readonly burstSyncs: number;
  /**
   * --*-sync-period (kube-proxy default 30 s): the IPVS proxier's periodic resync (the runner's
   * maxInterval up to 1.33; iptables and nftables pass 1 h) and, in iptables' large-cluster mode,
   * how often a sync also runs iptables-save to delete stale chains.
   */
  readonly syncPeriodNs: number;
  /**
   * iptables-restore time per rule restored. kubernetes#96018: 695,992 lines in 12.8 s ≈ 18 µs;
   * kubernetes#138073 agrees: 578,470 NAT rules restored in 10.49 s ≈ 18.1 µs.
   */
  readonly iptablesRuleNs: number;
  /**
   * syncProxyRules' own work per rule it writes, before the restore. kubernetes#138073: 6.63 s
   * from "Syncing iptables rules" to "Reloading service iptables data" for 578,470 NAT rules
   * ≈ 11.5 µs (that sync ran no iptables-save; its whole time was 17.5 s).
   */
  readonly iptablesGenerateRuleNs: number;
  /**
   * iptables-save of the nat table per rule in it, for stale-chain cleanup. kubernetes#138073:
   * "iptables save" took 3.83 s with 589,552 NAT rules ≈ 6.5 µs.
   */
  readonly iptablesSaveRuleNs: number;
  /** Partial restores (KEP-3453, GA 1.28) rewrite only changed services' chains. */
  readonly iptablesPartial: boolean;
  /**
   * nftables: every sync lists the whole table (`nft --json --terse list table`, knftables
   * ListAll), at a cost per service and per endpoint in it, and then writes the changed services
   * (per change). The two listing terms are the exact fit to two measured syncs:
   * kubernetes#135639, 5,006 services and 250,011 endpoints, partial syncs of 2 m 13 s; and
   * kubernetes#139513, 44,125 services and 44,152 endpoints, 63.3 s from "Syncing nftables rules"
   * to "Reloading service nftables data". The fit overshoots small tables (kubernetes#126013: one
   * new service among 10k with 2 endpoints each took 141 ms; the fit gives 19.5 s): the listing is
   * super-linear in the table's size and machine-dependent. The per-change term is a guess (0.1 ms).
   */
  readonly nftablesPerServiceNs: number;
  readonly nftablesPerEndpointNs: number;
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
  // pkg/proxy/{iptables,ipvs,nftables}/proxier.go NewProxier: burstSyncs := 2 (1.33 and earlier).
  burstSyncs: 2,
  // kube-proxy's --iptables-sync-period / --ipvs-sync-period / config syncPeriod default.
  syncPeriodNs: 30e9,
  iptablesRuleNs: 18_000,
  iptablesGenerateRuleNs: 11_500,
  iptablesSaveRuleNs: 6_500,
  iptablesPartial: true,
  nftablesPerServiceNs: 921_000,
  nftablesPerEndpointNs: 513_000,
  nftablesPerChangeNs: 100_000,
  ipvsPerServiceNs: 1_000,
  ipvsPerChangeNs: 2_000_000,
  ebpfPerChangeNs: 1_000_000,
};

/**
 * pkg/proxy/iptables/proxier.go largeClusterEndpointsThreshold: with more endpoints than this in
 * all services together, a sync runs iptables-save for stale-chain cleanup only once per syncPeriod;
 * below it, every sync does.
 */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/**
 * The runner's maxInterval: a sync runs at least this long after the previous one ended. The IPVS
 * proxier passes syncPeriod (up to 1.33); iptables and nftables pass 1 h (iptables' comment: "We
 * pass syncPeriod to ipt.Monitor… time.Hour is arbitrary"), as every mode does since 1.34
 * (proxyutil.FullSyncPeriod).
 */
export const maxSyncIntervalNs = (mode: ProxyMode, cfg: SyncConfig): number => (mode === 'ipvs' ? cfg.syncPeriodNs : 3600e9);

/** What a sync has to write, counted by the caller from the node's plan. */
export interface SyncWork {
  /** Service ports in the node's table. */
  readonly services: number;
  /** Endpoints of every service port in the node's table. */
  readonly endpoints: number;
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
  /** iptables: this sync runs iptables-save of the nat table (stale-chain cleanup is due). */
  readonly save?: boolean;
  /** Full resync (startup, topology change, hourly): ignores partial restore. */
  readonly full?: boolean;
}

export function syncDuration(mode: ProxyMode, work: SyncWork, cfg: SyncConfig = DEFAULT_SYNC): number {
  switch (mode) {
    case 'iptables': {
      const written = cfg.iptablesPartial && !work.full ? work.partialRules : work.totalRules;
      const save = work.save ? work.totalRules * cfg.iptablesSaveRuleNs : 0;
      return written * (cfg.iptablesGenerateRuleNs + cfg.iptablesRuleNs) + save;
    }
    case 'nftables': {
      const listing = work.services * cfg.nftablesPerServiceNs + work.endpoints * cfg.nftablesPerEndpointNs;
      return listing + (work.full ? work.services : work.changedServices) * cfg.nftablesPerChangeNs;
    }
    case 'ipvs':
      return work.services * cfg.ipvsPerServiceNs + (work.full ? work.services : work.changedServices) * cfg.ipvsPerChangeNs;
    case 'ebpf':
      return (work.full ? work.services : work.changedServices) * cfg.ebpfPerChangeNs;
  }
}

/**
 * The runner's minInterval: minSyncPeriod for kube-proxy. Cilium's agent has no such runner: it
 * writes a service's change to the BPF maps as it sees it (0: the runner always accepts).
 */
export const runnerMinIntervalNs = (mode: ProxyMode, cfg: SyncConfig): number => (mode === 'ebpf' ? 0 : cfg.minSyncPeriodNs);
