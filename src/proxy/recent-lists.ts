// xt_recent as kube-proxy uses it for ClientIP affinity: one list per endpoint chain on a node
// (named after the KUBE-SEP chain), keyed by source address, holding at most `ip_list_tot`
// addresses with the least recently set recycled (net/netfilter/xt_recent.c).

/** net/netfilter/xt_recent.c module parameter ip_list_tot, default 100. */
export const RECENT_LIST_MAX = 100;

export class RecentLists {
  /** list name → (client IP → last `--set` time in ns); Map order is LRU order. Lazy. */
  private readonly lists = new Map<string, Map<number, number>>();

  constructor(private readonly capacity = RECENT_LIST_MAX) {}

  /**
   * `--rcheck --seconds T --reap`: matches when the last `--set` is within T
   * (stamp >= now - T, xt_recent's `time_after` test); `--reap` then drops an expired entry.
   */
  check(name: string, clientIp: number, nowNs: number, timeoutNs: number): boolean {
    const list = this.lists.get(name);
    const at = list?.get(clientIp);
    if (list === undefined || at === undefined) return false;
    if (nowNs - at <= timeoutNs) return true;
    list.delete(clientIp);
    return false;
  }

  /** `--set`: record (or refresh) the client, recycling the least recently set when full. */
  set(name: string, clientIp: number, nowNs: number): void {
    let list = this.lists.get(name);
    if (list === undefined) this.lists.set(name, (list = new Map()));
    if (list.has(clientIp)) list.delete(clientIp);
    else if (list.size >= this.capacity) list.delete(list.keys().next().value as number);
    list.set(clientIp, nowNs);
  }
}
