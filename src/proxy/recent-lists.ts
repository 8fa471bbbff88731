// xt_recent as kube-proxy uses it for ClientIP affinity: one list per endpoint chain on a node,
// keyed by source address, holding at most `ip_list_tot` addresses (least recently set recycled).

/** net/netfilter/xt_recent.c module parameter ip_list_tot, default 100. */
export const RECENT_LIST_MAX = 100;

export class RecentLists {
  /** `${sp}/${endpoint}` → (client IP → last `--set` time in ns); Map order is LRU order. Lazy. */
  private readonly lists = new Map<number, Map<number, number>>();

  constructor(private readonly capacity = RECENT_LIST_MAX) {}

  /** `--rcheck --seconds T --reap`: seen within the timeout? An expired entry is reaped. */
  check(sp: number, endpoint: number, clientIp: number, nowNs: number, timeoutNs: number): boolean {
    const list = this.lists.get(listId(sp, endpoint));
    const at = list?.get(clientIp);
    if (list === undefined || at === undefined) return false;
    if (nowNs - at <= timeoutNs) return true;
    list.delete(clientIp);
    return false;
  }

  /** `--set`: record (or refresh) the client, recycling the least recently set when full. */
  set(sp: number, endpoint: number, clientIp: number, nowNs: number): void {
    const id = listId(sp, endpoint);
    let list = this.lists.get(id);
    if (list === undefined) this.lists.set(id, (list = new Map()));
    if (list.has(clientIp)) list.delete(clientIp);
    else if (list.size >= this.capacity) list.delete(list.keys().next().value as number);
    list.set(clientIp, nowNs);
  }
}

/** Endpoint lists are far below 2^20 long, so (sp, endpoint) packs into one exact double. */
const listId = (sp: number, endpoint: number): number => sp * 1_048_576 + endpoint;
