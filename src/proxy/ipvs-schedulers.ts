// The IPVS schedulers kube-proxy can select, as the kernel's net/netfilter/ipvs/ip_vs_*.c
// implement them when every real server has weight 1 (kube-proxy always sets 1): the state
// each keeps lives per node per virtual server and survives kube-proxy syncs. They walk the
// destination list in the kernel's order (ipvs-destinations.ts).

/** IPVS schedulers modelled (kube-proxy --ipvs-scheduler); every real server has weight 1. */
export type IpvsScheduler = 'rr' | 'wrr' | 'lc' | 'wlc' | 'sh' | 'sed' | 'nq';
export const IPVS_SCHEDULERS: readonly IpvsScheduler[] = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'sed', 'nq'];

/**
 * How long a closed connection stays counted as inactive: the IPVS TCP state timeouts after a
 * FIN, FIN_WAIT and TIME_WAIT, are 2 minutes each (ip_vs_proto_tcp.c tcp_timeouts), and
 * kube-proxy's --ipvs-tcpfin-timeout defaults to 0, which leaves them.
 */
export const IPVS_INACTIVE_NS = 120e9;

/**
 * A virtual server's kernel state on one node. Each real server the node has counted gets a
 * place in `counts`, by `ip:port`: its active connections there, its inactive ones next to them;
 * the rr cursor is counts[0]. A table resolves its destinations' places once, so a connection on
 * a node not seen for a while reads one array, where a Map probe per count cost several cache misses.
 */
export class IpvsVirtualServerState {
  /** The destination list, head first: real servers' `ip:port` (svc->destinations). */
  list: string[] = [];
  private readonly places = new Map<string, number>();
  /**
   * The rr/wrr cursor at 0; per counted real server at place p (from 1): active connections at
   * p (ip_vs_dest.activeconns), closed ones not yet expired at p + 1 (inactconns).
   */
  readonly counts: number[] = [-1];
  /** When each counted inactive connection expires, then its place, in closing order (one array: no object per close). */
  private readonly inactiveUntil: number[] = [];
  private inactiveHead = 0;
  /** Persistence templates: client IP → real server `ip:port` and when the template expires. */
  readonly templates = new Map<number, { server: string; expiresNs: number }>();

  /**
   * `expiring`: inactive connections are forgotten as their IPVS timeout passes (expireInactive),
   * which only the schedulers that weigh them (lc, wlc) ask for; the others' counts only grow, so
   * their state keeps no expiry times.
   */
  constructor(readonly expiring = true) {}

  /** rr/wrr: list position of the last real server used (ip_vs_rr's sched_data); -1 = head. */
  get cursor(): number {
    return this.counts[0];
  }

  set cursor(position: number) {
    this.counts[0] = position;
  }

  /** The place of real server `server` in `counts`, made at 0 connections the first time it is asked for. */
  place(server: string): number {
    let p = this.places.get(server);
    if (p === undefined) {
      this.places.set(server, (p = this.counts.length));
      this.counts.push(0, 0);
    }
    return p;
  }

  /** The place of `server`, or -1 while it has none (it was never counted: 0 of each). */
  placeIfAny(server: string): number {
    return this.places.get(server) ?? -1;
  }

  activeOf(server: string): number {
    const p = this.placeIfAny(server);
    return p < 0 ? 0 : this.counts[p];
  }

  inactiveOf(server: string): number {
    const p = this.placeIfAny(server);
    return p < 0 ? 0 : this.counts[p + 1];
  }

  /** A connection to the server at place `p` closed at `atNs`: inactive until its IPVS timeout. */
  closed(p: number, atNs: number): void {
    this.counts[p + 1]++;
    if (this.expiring) this.expires(p, atNs);
  }

  /** The inactive connection at place `p`, closed at `atNs`, is forgotten when its timeout passes (its count is the caller's). */
  expires(p: number, atNs: number): void {
    this.inactiveUntil.push(atNs + IPVS_INACTIVE_NS, p);
  }

  /** Forgets inactive connections expired by `nowNs` (closes arrive nearly in time order; a late one waits behind the head). */
  expireInactive(nowNs: number): void {
    const q = this.inactiveUntil;
    while (this.inactiveHead < q.length && q[this.inactiveHead] <= nowNs) {
      this.counts[q[this.inactiveHead + 1] + 1]--;
      this.inactiveHead += 2;
    }
    if (this.inactiveHead > 2048 && this.inactiveHead * 2 > q.length) {
      q.splice(0, this.inactiveHead);
      this.inactiveHead = 0;
    }
  }
}

/** ip_vs_sh.c: IP_VS_SH_TAB_BITS = 8, buckets dealt to real servers in list order. */
const SH_TAB_BITS = 8;
/** include/linux/hash.h GOLDEN_RATIO_32, used by hash_32() since Linux 4.7. */
const GOLDEN_RATIO_32 = 0x61c88647;

/** ip_vs_sh_hashkey without the port (kube-proxy sets no sh-port flag for `sh`). */
export const shBucket = (clientIp: number): number => Math.imul(clientIp >>> 0, GOLDEN_RATIO_32) >>> (32 - SH_TAB_BITS);

/**
 * Picks a real server (a position in the destination list) for a new connection: the list's
 * `n` real servers have their places in `counts` (a state's) at route[0], route[2], … route[2n - 2].
 * Allocation-free.
 */
export function schedule(
  scheduler: IpvsScheduler,
  counts: number[],
  n: number,
  route: readonly number[],
  clientIp: number,
): number {
  switch (scheduler) {
    case 'rr':
    case 'wrr': {
      // Equal weights make ip_vs_wrr's weight ladder a plain cycle, the same as rr.
      const next = counts[0] + 1 >= n ? 0 : counts[0] + 1;
      counts[0] = next;
      return next;
    }
    case 'sh':
      // 256 buckets dealt round-robin over the list: bucket i → server i mod n.
      return shBucket(clientIp) % n;
    case 'lc':
    case 'wlc':
      // ip_vs_lc and ip_vs_wlc: least ip_vs_dest_conn_overhead, (activeconns << 8) + inactconns
      // (wlc divides by the weight, 1 here), the first in list order on ties.
      return leastOverhead(counts, n, route);
    case 'sed':
      // ip_vs_sed: least (activeconns + 1) / weight; with weight 1, least active.
      return leastActive(counts, n, route);
    case 'nq': {
      // ip_vs_nq: the first idle server in list order, else as sed.
      for (let i = 0; i < n; i++) if (counts[route[2 * i]] === 0) return i;
      return leastActive(counts, n, route);
    }
  }
}

function leastOverhead(counts: readonly number[], n: number, route: readonly number[]): number {
  let best = 0;
  let bestOverhead = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const overhead = counts[route[2 * i]] * 256 + counts[route[2 * i] + 1];
    if (overhead < bestOverhead) {
      best = i;
      bestOverhead = overhead;
    }
  }
  return best;
}

function leastActive(counts: readonly number[], n: number, route: readonly number[]): number {
  let best = 0;
  let bestCount = counts[route[0]];
  for (let i = 1; i < n; i++) {
    const c = counts[route[2 * i]];
    if (c < bestCount) {
      best = i;
      bestCount = c;
    }
  }
  return best;
}
