// Where generated pods go. `spread`: pod i of a Deployment on node i mod N (the scheduler's
// default topology spreading, made predictable). `packed`: fill node 1 up to the kubelet's
// default max-pods (110), then node 2, ... An array: that many pods on each node, in order.

export type Placement = 'spread' | 'packed' | readonly number[];

/** kubelet --max-pods default. */
export const MAX_PODS_PER_NODE = 110;

/**
 * Node index for each of `replicas` pods; `podsOnNode` (pods already placed per node) is
 * updated. Returns a message instead when the placement cannot hold the replicas.
 */
export function placeReplicas(replicas: number, placement: Placement, podsOnNode: number[]): number[] | string {
  const nodes = podsOnNode.length;
  const out: number[] = [];
  if (placement === 'spread') {
    for (let i = 0; i < replicas; i++) out.push(i % nodes);
  } else if (placement === 'packed') {
    let node = 0;
    for (let i = 0; i < replicas; i++) {
      while (node < nodes && podsOnNode[node] + count(out, node) >= MAX_PODS_PER_NODE) node++;
      if (node === nodes) return `${replicas} pods do not fit on ${nodes} nodes of ${MAX_PODS_PER_NODE} pods each`;
      out.push(node);
    }
  } else {
    if (placement.length !== nodes) return `gives pod counts for ${placement.length} nodes, but the cluster has ${nodes}`;
    const sum = placement.reduce((a, b) => a + b, 0);
    if (sum !== replicas) return `pod counts per node sum to ${sum}, but the Deployment has ${replicas} replicas`;
    placement.forEach((n, node) => {
      for (let i = 0; i < n; i++) out.push(node);
    });
  }
  for (const node of out) podsOnNode[node] += 1;
  return out;
}

// Pods of the current Deployment already put on `node`; packed fills in order, so they are the tail.
function count(placed: readonly number[], node: number): number {
  let n = 0;
  for (let i = placed.length - 1; i >= 0 && placed[i] === node; i--) n++;
  return n;
}
