// The IPVS schedulers kube-proxy can select, as the kernel's net/netfilter/ipvs/ip_vs_*.c
// implement them when every real server has weight 1 (kube-proxy always sets 1): the state
// each keeps lives per node per virtual server and survives kube-proxy syncs.

/** IPVS schedulers modelled (kube-proxy --ipvs-scheduler); every real server has weight 1. */
export type IpvsScheduler = 'rr' | 'wrr' | 'lc' | 'sh' | 'sed' | 'nq';
export const IPVS_SCHEDULERS: readonly IpvsScheduler[] = ['rr', 'wrr', 'lc', 'sh', 'sed', 'nq'];

export class IpvsVirtualServerState {
  /** rr/wrr: list position of the last real server used (ip_vs_rr's sched_data); -1 = head. */
  cursor = -1;
  /** Active connections per real server `ip:port` (ip_vs_dest.activeconns). */
  readonly active = new Map<string, number>();
  /** Persistence templates: client IP → real server `ip:port` and when the template expires. */
  readonly templates = new Map<number, { server: string; expiresNs: number }>();
}

/** ip_vs_sh.c: IP_VS_SH_TAB_BITS = 8, buckets dealt to real servers in list order. */
const SH_TAB_BITS = 8;
/** include/linux/hash.h GOLDEN_RATIO_32, used by hash_32() since Linux 4.7. */
const GOLDEN_RATIO_32 = 0x61c88647;

/** ip_vs_sh_hashkey without the port (kube-proxy sets no sh-port flag for `sh`). */
export const shBucket = (clientIp: number): number => Math.imul(clientIp >>> 0, GOLDEN_RATIO_32) >>> (32 - SH_TAB_BITS);

/**
 * Picks a real server (a position in `servers`) for a new connection. `servers` are the
 * real servers' `ip:port` keys in list order. Allocation-free.
 */
export function schedule(
  scheduler: IpvsScheduler,
  state: IpvsVirtualServerState,
  servers: readonly string[],
  clientIp: number,
): number {
  const n = servers.length;
  switch (scheduler) {
    case 'rr':
    case 'wrr': {
      // Equal weights make ip_vs_wrr's weight ladder a plain cycle, the same as rr.
      const next = state.cursor + 1 >= n ? 0 : state.cursor + 1;
      state.cursor = next;
      return next;
    }
    case 'sh':
      // 256 buckets dealt round-robin over the list: bucket i → server i mod n.
      return shBucket(clientIp) % n;
    case 'lc':
      // ip_vs_lc: least (activeconns << 8) + inactconns, first in list order on ties.
      // Inactive (TIME_WAIT) connections are not modelled, so this is least active.
      return leastActive(state, servers, 0);
    case 'sed':
      // ip_vs_sed: least (activeconns + 1) / weight; with weight 1, least active.
      return leastActive(state, servers, 0);
    case 'nq': {
      // ip_vs_nq: the first idle server in list order, else as sed.
      for (let i = 0; i < n; i++) if ((state.active.get(servers[i]) ?? 0) === 0) return i;
      return leastActive(state, servers, 0);
    }
  }
}

function leastActive(state: IpvsVirtualServerState, servers: readonly string[], from: number): number {
  let best = from;
  let bestCount = state.active.get(servers[from]) ?? 0;
  for (let i = from + 1; i < servers.length; i++) {
    const c = state.active.get(servers[i]) ?? 0;
    if (c < bestCount) {
      best = i;
      bestCount = c;
    }
  }
  return best;
}
