// An IPVS virtual server's destination list as the kernel keeps it, per node, across kube-proxy
// syncs: `__ip_vs_update_dest` (net/netfilter/ipvs/ip_vs_ctl.c) links each new real server at the
// HEAD of `svc->destinations` ("list_add_rcu(&dest->n_list, &svc->destinations)"), and the
// schedulers walk that list from the head. kube-proxy adds a sync's new real servers in the order
// of `newEndpoints.UnsortedList()` (pkg/proxy/ipvs/proxier.go, syncEndpoint), a Go map's, which
// is random: a stand-in here is each key's hash salted with the node's name, deterministic per
// node and different across nodes, as the orders on real nodes are.

/** FNV-1a, 32-bit: the order stand-in for a Go map's iteration. `from`: the hash of a prefix, to continue it. */
function fnv1a(text: string, from = 0x811c9dc5): number {
  let h = from;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The order kube-proxy on `nodeName` adds `keys` in (one sync's new real servers). */
export function addOrder(nodeName: string, keys: readonly string[]): string[] {
  // The node's prefix hashed once: each of a 5,000-node cluster's nodes orders its lists at its first connection.
  const prefix = fnv1a(`${nodeName}|`);
  const hashes = keys.map((k) => fnv1a(k, prefix));
  return keys
    .map((_, i) => i)
    .sort((a, b) => hashes[a] - hashes[b] || (keys[a] < keys[b] ? -1 : 1))
    .map((i) => keys[i]);
}

/** How a scheduler's cursor follows a change of the list. */
export type CursorRule = 'keep' | 'reset';

/**
 * The list after a sync that leaves exactly `current` real servers: the ones gone are unlinked,
 * the new ones linked at the head one by one in kube-proxy's add order. Returns the new list and
 * the cursor (a list position, -1 = the list head itself). `keep` is ip_vs_rr's rule: new heads
 * shift the position, and when the cursor's own server goes, ip_vs_rr_del_dest moves it to the
 * previous entry ("svc->sched_data = p->next->prev"). `reset` is ip_vs_wrr_dest_changed's, which
 * sets the cursor back to the list head on any change.
 */
export function reconcileDestinations(
  nodeName: string,
  list: readonly string[],
  cursor: number,
  current: readonly string[],
  rule: CursorRule,
): { list: string[]; cursor: number } {
  if (list.length === 0) {
    // A node's first sync of the virtual server (every node of a large cluster makes one): all added.
    const added = addOrder(nodeName, current).reverse();
    if (rule === 'reset' && added.length > 0) return { list: added, cursor: -1 };
    return { list: added, cursor: cursor < 0 ? -1 : cursor + added.length };
  }
  const wanted = new Set(current);
  let c = cursor;
  const kept: string[] = [];
  for (let i = 0; i < list.length; i++) {
    if (wanted.has(list[i])) kept.push(list[i]);
    else if (i <= cursor) c--; // an entry at or before the cursor left: the cursor steps back
  }
  const have = new Set(kept);
  const added = addOrder(
    nodeName,
    current.filter((k) => !have.has(k)),
  );
  // Each add goes to the head, so the last one added ends up first.
  const next = [...added.reverse(), ...kept];
  const changed = added.length > 0 || kept.length !== list.length;
  if (rule === 'reset' && changed) return { list: next, cursor: -1 };
  return { list: next, cursor: c < 0 ? -1 : c + added.length };
}
