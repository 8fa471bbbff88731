// One node's conntrack table: an entry per connection with its timeout, a hard maximum beyond
// which new connections are refused (`conntrack_full`), and entries that outlive the endpoint
// they point to (kube-proxy never flushes TCP entries). Open connections are named by the handle
// `insert` returns, so nothing is hashed per packet. A closed connection's entry lingers in
// TIME_WAIT, where no packet of the simulation reads it again: it is kept as its expiry time
// alone, which counts against the maximum until it passes or the GC worker (conntrack-gc.ts)
// early-drops it. Operations are O(1) amortised.
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

import { growFloat64, growInt32 } from '../engine/typed-arrays.js';
import { ClosingQueue } from './conntrack-closing.js';
import { type GcTable, GcWorker, type GcPass } from './conntrack-gc.js';

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
 * Handles pack (generation, slot); slots stay below 2^25. Generations count modulo 2^27 (an even
 * modulus keeps their parity), so a handle stays below 2^52, an exact double, however long the
 * run; a stale handle could only name a newer entry after exactly 2^26 reuses of its slot.
 */
const SLOT_SPACE = 2 ** 25;

/** The slot of the table a handle names (slots are reused; the handle's generation tells uses apart). */
export const handleSlot = (handle: number): number => handle % SLOT_SPACE;
const GENERATIONS = 2 ** 27;

/**
 * Open entries as (slot, generation) in the order they were inserted, which with one established
 * timeout is their expiry order. A copy whose slot has been freed since (its generation moved on)
 * is stale: skipped at the head, and dropped in place when the ring fills, so a long-lived
 * connection at the head cannot make the ring grow with connections that closed behind it.
 */
class OpenQueue {
  private slots = new Int32Array(64);
  private gens = new Int32Array(64);
  private head = 0;
  length = 0;

  push(slot: number, gen: number, genOf: Int32Array): void {
    if (this.length === this.slots.length) this.compact(genOf);
    const i = (this.head + this.length) & (this.slots.length - 1);
    this.slots[i] = slot;
    this.gens[i] = gen;
    this.length++;
  }

  /** Removes and returns the head's slot if its entry is open and expired by `nowNs`; -1 once the head is open and unexpired. */
  popExpired(nowNs: number, genOf: Int32Array, expiresNs: Float64Array): number {
    const mask = this.slots.length - 1;
    while (this.length > 0) {
      const h = this.head;
      const slot = this.slots[h];
      const current = genOf[slot] === this.gens[h];
      if (current && expiresNs[slot] > nowNs) return -1;
      this.head = (h + 1) & mask;
      this.length--;
      if (current) return slot;
    }
    return -1;
  }

  /** Drops stale copies in order; doubles the ring when more than half are current, so compaction is paid for by the pushes that filled it. */
  private compact(genOf: Int32Array): void {
    const n = this.slots.length;
    let kept = 0;
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) & (n - 1);
      if (genOf[this.slots[i]] !== this.gens[i]) continue;
      const to = (this.head + kept) & (n - 1);
      this.slots[to] = this.slots[i];
      this.gens[to] = this.gens[i];
      kept++;
    }
    this.length = kept;
    if (kept * 2 <= n) return;
    const slots = new Int32Array(2 * n);
    const gens = new Int32Array(2 * n);
    for (let k = 0; k < kept; k++) {
      const i = (this.head + k) & (n - 1);
      slots[k] = this.slots[i];
      gens[k] = this.gens[i];
    }
    this.slots = slots;
    this.gens = gens;
    this.head = 0;
  }
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
  /** Called after each pass of the GC worker. */
  readonly onGcPass?: (p: GcPass) => void;
}

export class Conntrack implements GcTable {
  private expiresNs = new Float64Array(0);
  private endpoint = new Int32Array(0);
  /** Generation of each slot, bumped per insert and per free; odd while the slot holds an entry. */
  private gen = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;
  private readonly open = new OpenQueue();
  /** Closed connections in TIME_WAIT, counted until they expire. */
  private readonly closing = new ClosingQueue();
  /** Slots allocated so far: arrays grow by doubling up to `max`, so a large limit costs memory only when used. */
  private capacity = 0;
  /** Open entries plus closed ones still in TIME_WAIT. */
  private live = 0;
  peak = 0;
  /** New connections refused because the table was full ("table full, dropping packet"). */
  insertFailures = 0;
  /** Entries an LRU table evicted to make room (always 0 for 'drop'). */
  evicted = 0;
  readonly whenFull: WhenFull;
  private readonly gc: GcWorker | null;

  constructor(
    readonly max = DEFAULT_CONNTRACK_MAX,
    options: ConntrackOptions = {},
  ) {
    if (!(max >= 1 && max <= SLOT_SPACE)) throw new Error(`conntrack: max must be 1..${SLOT_SPACE}, got ${max}`);
    // Small at first and doubled as it fills: slots are handed out lowest first either way, so
    // handles do not depend on it, and thousands of nodes' tables start at 1.3 KiB each.
    this.grow(Math.min(max, 64));
    this.whenFull = options.whenFull ?? 'drop';
    this.gc = options.gc === false || this.whenFull === 'evict' ? null : new GcWorker(options.onGcPass);
  }

  get size(): number {
    return this.live;
  }

  get count(): number {
    return this.live;
  }

  get droppable(): number {
    return this.closing.length;
  }

  /** Closing entries the GC worker has killed early. */
  get earlyDrops(): number {
    return this.gc?.earlyDrops ?? 0;
  }

  /** The table as of `nowNs`: expired entries gone, the GC worker's passes due by then run. */
  settle(nowNs: number): void {
    this.reclaim(nowNs);
    this.gc?.advanceTo(nowNs, this);
  }

  earlyDrop(n: number): void {
    for (let k = 0; k < n; k++) this.closing.popOldest();
    this.live -= n;
  }

  clampedRemainingSumNs(nowNs: number, minNs: number, clampNs: number): number {
    const clamp = (ns: number) => Math.min(clampNs, Math.max(minNs, ns));
    let sum = 0;
    for (let s = 0; s < this.capacity; s++) if ((this.gen[s] & 1) === 1) sum += clamp(this.expiresNs[s] - nowNs);
    for (let k = 0; k < this.closing.length; k++) sum += clamp(this.closing.at(k) - nowNs);
    return sum;
  }

  /**
   * Tracks a new connection to `endpoint` (opaque to the table) until `nowNs + timeoutNs`.
   * Returns its handle, or -1 when the table is full of live entries: the kernel drops the
   * packet ("nf_conntrack: table full, dropping packet").
   */
  insert(endpoint: number, timeoutNs: number, nowNs: number): number {
    this.settle(nowNs);
    if (this.live === this.max) {
      if (this.whenFull === 'evict') this.evictOldest();
      else {
        this.insertFailures++;
        if (this.gc) this.gc.earlyDropFlag = true;
        return -1;
      }
    }
    if (this.freeTop === 0) this.grow(Math.min(this.max, this.capacity * 2));
    const s = this.free[--this.freeTop];
    this.endpoint[s] = endpoint;
    this.expiresNs[s] = nowNs + timeoutNs;
    const g = (this.gen[s] = (this.gen[s] + 1) % GENERATIONS);
    this.open.push(s, g, this.gen);
    if (++this.live > this.peak) this.peak = this.live;
    return g * SLOT_SPACE + s;
  }

  /** The tracked endpoint of an open connection, or -1 when it is closed, gone or expired (an expired entry is removed). */
  lookup(handle: number, nowNs: number): number {
    const s = this.slotOf(handle);
    if (s < 0) return -1;
    if (this.expiresNs[s] <= nowNs) {
      this.release(s);
      return -1;
    }
    return this.endpoint[s];
  }

  /**
   * The connection closed (FIN): its entry stays in the table, in TIME_WAIT, for `timeoutNs`.
   * The handle no longer names it. Closing an unknown or expired handle does nothing.
   */
  close(handle: number, timeoutNs: number, nowNs: number): void {
    const s = this.slotOf(handle);
    if (s < 0) return;
    if (this.expiresNs[s] <= nowNs) {
      this.release(s);
      return;
    }
    this.release(s);
    this.live++;
    this.closing.push(nowNs + timeoutNs);
  }

  remove(handle: number): boolean {
    const s = this.slotOf(handle);
    if (s < 0) return false;
    this.release(s);
    return true;
  }

  /**
   * The kernel's garbage collector frees entries as they expire; here each insert does, from the
   * heads of the two queues: open entries share one timeout, so they expire in insertion order,
   * and the closing queue is kept in expiry order.
   */
  reclaim(nowNs: number): void {
    let s: number;
    while ((s = this.open.popExpired(nowNs, this.gen, this.expiresNs)) >= 0) this.release(s);
    while (this.closing.popExpired(nowNs)) this.live--;
  }

  /** The slot a handle names while its entry is open, else -1. */
  private slotOf(handle: number): number {
    if (handle < 0) return -1;
    const s = handle % SLOT_SPACE;
    const g = (handle - s) / SLOT_SPACE;
    return s < this.capacity && this.gen[s] === g && (g & 1) === 1 ? s : -1;
  }

  /** An LRU table makes room: the oldest closed entry goes, else the longest-open one. */
  private evictOldest(): void {
    this.evicted++;
    if (this.closing.length > 0) {
      this.closing.popOldest();
      this.live--;
      return;
    }
    const s = this.open.popExpired(Number.POSITIVE_INFINITY, this.gen, this.expiresNs);
    if (s < 0) throw new Error(`conntrack: full (${this.live} of ${this.max}) but nothing to evict`);
    this.release(s);
  }

  private release(s: number): void {
    this.gen[s] = (this.gen[s] + 1) % GENERATIONS; // even: free
    this.free[this.freeTop++] = s;
    this.live--;
  }

  /** Adds slots up to `capacity`, keeping every entry. */
  private grow(capacity: number): void {
    const old = this.capacity;
    this.expiresNs = growFloat64(this.expiresNs, capacity);
    this.endpoint = growInt32(this.endpoint, capacity);
    this.gen = growInt32(this.gen, capacity);
    const free = growInt32(this.free.subarray(0, this.freeTop), capacity);
    for (let s = capacity - 1; s >= old; s--) free[this.freeTop++] = s;
    this.free = free;
    this.capacity = capacity;
  }
}
