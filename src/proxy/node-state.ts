// The per-node kernel state that survives kube-proxy syncs: a new table replaces the rules,
// not the xt_recent lists, nft timeout sets, IPVS connection counts and templates, or Cilium's
// affinity map.

import { RecentLists } from './recent-lists.js';
import type { IpvsVirtualServerState } from './ipvs-schedulers.js';

export class NodeProxyState {
  /** xt_recent lists, one per KUBE-SEP chain name (iptables ClientIP affinity). */
  readonly recent = new RecentLists();
  /** nft affinity sets: set name → (client IP → expiry ns). */
  readonly nftAffinity = new Map<string, Map<number, number>>();
  /** IPVS virtual servers by `ip:port/proto`, created on first use. */
  readonly ipvs = new Map<string, IpvsVirtualServerState>();
  /** Cilium's LB4_AFFINITY_MAP: rev_nat id → (client IP → backend `ip:port`, last used ns). */
  readonly ebpfAffinity = new Map<number, Map<number, { backend: string; lastUsedNs: number }>>();
}
