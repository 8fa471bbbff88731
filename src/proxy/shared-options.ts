// A shared part serves the nodes whose cluster-wide kube-proxy flags it was compiled with: a table
// built from one compiled with other flags would walk the wrong rules silently, so it throws.

import type { ResolvedOptions } from './types.js';

/** The flags every node of a cluster passes alike (the node's name, address and zone excepted). */
const clusterWide = (o: ResolvedOptions) => JSON.stringify([o.podCIDR, o.localhostNodePorts, o.masqueradeAll, o.ipvsScheduler, o.ebpf]);

export function checkSharedOptions(table: string, shared: ResolvedOptions, own: ResolvedOptions): void {
  if (clusterWide(shared) !== clusterWide(own)) throw new Error(`${table}: the shared part was compiled with other flags (${clusterWide(shared)}) than the node's (${clusterWide(own)})`);
}
