// One node's conntrack table: an entry per connection with its timeout, a hard maximum beyond
// which new connections are refused (`conntrack_full`), and entries that outlive the endpoint
// they point to (kube-proxy never flushes TCP entries). Open connections are named by the handle
// `insert` returns, so nothing is hashed per packet. A closed connection's entry lingers in
// TIME_WAIT, where no packet of the simulation reads it again: only its expiry matters, and it
// counts against the maximum until that passes or the GC worker (conntrack-gc.ts) early-drops
// it. Operations are O(1) amortised (a close places its entry a few from the tail of the
// TIME_WAIT list, since connections close nearly in time order).
// Cilium's BPF CT map is the same table with another policy when full: it is an LRU hash
// (bpf/lib/conntrack_map.h CT_MAP_TYPE), so the kernel evicts the least recently used entry
// instead of dropping the packet, and no GC worker is involved.
//
// A full table first tries `early_drop` on the new entry's bucket (nf_conntrack_core.c,
// __nf_conntrack_alloc), which drops only entries not yet ASSURED. Here every entry is assured:
// a TCP entry is assured once the handshake completes, one round trip (< 1 ms) after its SYN, so
// at the rates simulated the unassured entries are about rate × RTT of 10^5 entries, and the few
// buckets early_drop looks at (NF_CT_EVICTION_RANGE, 8) almost never hold one. The failed insert
// then only raises the worker's early-drop flag.

import type { GcPass, GcTable } from './conntrack-gc.js';
import { ConntrackPool } from './conntrack-pool.js';

export { handleSlot } from './conntrack-pool.js';

/** kube-proxy's conntrack.min default (pkg/proxy/apis/config/v1alpha1/defaults.go). */
export const DEFAULT_CONNTRACK_MIN = 131_072;
/** kube-proxy's conntrack.maxPerCore default (the same defaults.go). */
export const DEFAULT_CONNTRACK_MAX_PER_CORE = 32_768;
/** What kube-proxy leaves the table at with its defaults on a node of up to 4 cores. */
export const DEFAULT_CONNTRACK_MAX = DEFAULT_CONNTRACK_MIN;

/**
 * The kernel's own nf_conntrack_max on a 64-bit node with more than 4 GiB of memory
 * (nf_conntrack_core.c, nf_conntrack_init_start: 262144 buckets, max_factor 1).
 */
export const KERNEL_DEFAULT_CONNTRACK_MAX = 262_144;

/**
 * nf_conntrack_max as kube-proxy sets it (cmd/kube-proxy/app/server_linux.go, getConntrackMax):
 * maxPerCore × the node's CPUs, at least min; maxPerCore 0 makes kube-proxy leave the kernel's
 * own value.
 */
export function conntrackMaxFor(maxPerCore: number, min: number, cores: number): number {
  if (maxPerCore <= 0) return KERNEL_DEFAULT_CONNTRACK_MAX;
  return Math.max(maxPerCore * cores, min);
}

/**
 * What a full table does with a new connection: netfilter drops its packet; a BPF LRU hash map
 * evicts the oldest entry (closed ones first, then the longest-open: insertion order stands in
 * for recency, since the simulation does not touch an entry per packet).
 */
export type WhenFull = 'drop' | 'evict';

export interface ConntrackOptions {
  /** Default 'drop' (netfilter). */
  readonly whenFull?: WhenFull;
  /** Model the GC worker's early drop (default true with 'drop'); off, a full table waits for expiries alone. */
  readonly gc?: boolean;
  /** Called after each pass of a GC worker. */
  readonly onGcPass?: (p: GcPass) => void;
}

/**
 * One node's table, a view of a store every node of a cluster shares (conntrack-pool.ts).
 * `new Conntrack(max)` is a table on its own; `Conntrack.views(pool)` gives every node's.
 */
export class Conntrack implements GcTable {
  readonly max: number;
  readonly whenFull: WhenFull;
  private readonly pool: ConntrackPool;
  private readonly node: number;

  constructor(max = DEFAULT_CONNTRACK_MAX, options: ConntrackOptions = {}, shared?: { readonly pool: ConntrackPool; readonly node: number }) {
    this.pool = shared?.pool ?? new ConntrackPool(1, max, options);
    this.node = shared?.node ?? 0;
    this.max = this.pool.max;
    this.whenFull = this.pool.whenFull;
  }

  /** Every node's table in `pool`. */
  static views(pool: ConntrackPool): Conntrack[] {
    return Array.from({ length: pool.nodes }, (_, node) => new Conntrack(pool.max, {}, { pool, node }));
  }

  get size(): number {
    return this.pool.size(this.node);
  }

  get count(): number {
    return this.pool.size(this.node);
  }

  get droppable(): number {
    return this.pool.closed(this.node);
  }

  get peak(): number {
    return this.pool.peak(this.node);
  }

  /** New connections refused because the table was full ("table full, dropping packet"). */
  get insertFailures(): number {
    return this.pool.insertFailures[this.node];
  }

  /** Entries an LRU table evicted to make room (always 0 for 'drop'). */
  get evicted(): number {
    return this.pool.evicted[this.node];
  }

  /** Closing entries the GC worker has killed early. */
  get earlyDrops(): number {
    return this.pool.earlyDrops(this.node);
  }

  /** The table as of `nowNs`: expired entries gone, the GC worker's passes due by then run. */
  settle(nowNs: number): void {
    this.pool.settle(this.node, nowNs);
  }

  earlyDrop(n: number): void {
    this.pool.earlyDrop(this.node, n);
  }

  clampedRemainingSumNs(nowNs: number, minNs: number, clampNs: number): number {
    return this.pool.clampedRemainingSumNs(this.node, nowNs, minNs, clampNs);
  }

  /**
   * Tracks a new connection to `endpoint` (opaque to the table) until `nowNs + timeoutNs`.
   * Returns its handle, or -1 when the table is full of live entries: the kernel drops the
   * packet ("nf_conntrack: table full, dropping packet").
   */
  insert(endpoint: number, timeoutNs: number, nowNs: number): number {
    return this.pool.insert(this.node, endpoint, timeoutNs, nowNs);
  }

  /** The tracked endpoint of an open connection, or -1 when it is closed, gone or expired (an expired entry is removed). */
  lookup(handle: number, nowNs: number): number {
    return this.pool.lookup(this.node, handle, nowNs);
  }

  /**
   * The connection closed (FIN): its entry stays in the table, in TIME_WAIT, for `timeoutNs`.
   * The handle no longer names it. Closing an unknown or expired handle does nothing.
   */
  close(handle: number, timeoutNs: number, nowNs: number): void {
    this.pool.close(this.node, handle, timeoutNs, nowNs);
  }

  remove(handle: number): boolean {
    return this.pool.remove(this.node, handle);
  }

  /** The kernel's garbage collector frees entries as they expire; here each insert does. */
  reclaim(nowNs: number): void {
    this.pool.reclaim(this.node, nowNs);
  }
}
