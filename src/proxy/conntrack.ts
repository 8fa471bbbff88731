// One node's conntrack table: an entry per connection with its timeout, a hard maximum beyond
// which new connections are refused (`conntrack_full`), and entries that outlive the endpoint
// they point to (kube-proxy never flushes TCP entries). Open connections are named by the handle
// `insert` returns, so nothing is hashed per packet. A closed connection's entry lingers in
// TIME_WAIT, where no packet of the simulation reads it again: it is kept as its expiry time
// alone, which counts against the maximum until it passes. Operations are O(1) amortised.
// Cilium's BPF CT map is the same table with another policy when full: it is an LRU hash
// (bpf/lib/conntrack_map.h CT_MAP_TYPE), so the kernel evicts the least recently used entry
// instead of dropping the packet.

import { growFloat64, growInt32 } from '../engine/typed-arrays.js';

/** kube-proxy's conntrack.min default (maxPerCore 32768 × cores, at least this). */
export const DEFAULT_CONNTRACK_MAX = 131_072;

/**
 * Handles pack (generation, slot); slots stay below 2^25. Generations count modulo 2^27 (an even
 * modulus keeps their parity), so a handle stays below 2^52, an exact double, however long the
 * run; a stale handle could only name a newer entry after exactly 2^26 reuses of its slot.
 */
const SLOT_SPACE = 2 ** 25;
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

/** Entries per chunk of the closing queue (64 KiB of expiry times). */
const CHUNK = 8192;

/**
 * Expiry times of closed connections, earliest first. A node in TIME_WAIT at 14,000 connections
 * a second holds over a million, so the queue is a list of fixed chunks, recycled as they empty:
 * it never copies itself to grow, and allocates only while it is longer than it has ever been
 * (doubling a ring left tens of MiB of dead buffers per run, and with a large heap the full
 * collections they brought on cost more than the simulation around them). Connections close
 * nearly in time order (a reply accounted at its arrival time closes a little ahead, a
 * timed-out request at its timeout, a little behind), so an expiry is placed by moving the few
 * later ones at the tail up by one.
 */
class ClosingQueue {
  private readonly chunks: Float64Array[] = [];
  private readonly spare: Float64Array[] = [];
  /** Position of the oldest entry within the first chunk. */
  private head = 0;
  length = 0;

  push(expiresNs: number): void {
    if (this.head + this.length === this.chunks.length * CHUNK) this.chunks.push(this.spare.pop() ?? new Float64Array(CHUNK));
    let k = this.length;
    while (k > 0 && this.at(k - 1) > expiresNs) {
      this.set(k, this.at(k - 1));
      k--;
    }
    this.set(k, expiresNs);
    this.length++;
  }

  /** Removes the oldest entry if it has expired by `nowNs`. */
  popExpired(nowNs: number): boolean {
    if (this.length === 0 || this.chunks[0][this.head] > nowNs) return false;
    this.length--;
    if (++this.head === CHUNK) {
      this.spare.push(this.chunks.shift() as Float64Array);
      this.head = 0;
    }
    return true;
  }

  /** Removes the oldest entry whatever its expiry; false when empty. */
  popOldest(): boolean {
    return this.popExpired(Number.POSITIVE_INFINITY);
  }

  /** The k-th oldest entry. */
  private at(k: number): number {
    const i = this.head + k;
    return this.chunks[(i / CHUNK) | 0][i % CHUNK];
  }

  private set(k: number, expiresNs: number): void {
    const i = this.head + k;
    this.chunks[(i / CHUNK) | 0][i % CHUNK] = expiresNs;
  }
}

export class Conntrack {
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
  /** Entries an LRU table evicted to make room (always 0 for `drop`). */
  evicted = 0;

  constructor(
    readonly max = DEFAULT_CONNTRACK_MAX,
    readonly whenFull: WhenFull = 'drop',
  ) {
    if (!(max >= 1 && max <= SLOT_SPACE)) throw new Error(`conntrack: max must be 1..${SLOT_SPACE}, got ${max}`);
    this.grow(Math.min(max, 1024));
  }

  get size(): number {
    return this.live;
  }

  /**
   * Tracks a new connection to `endpoint` (opaque to the table) until `nowNs + timeoutNs`.
   * Returns its handle, or -1 when the table is full of live entries: the kernel drops the
   * packet ("nf_conntrack: table full, dropping packet").
   */
  insert(endpoint: number, timeoutNs: number, nowNs: number): number {
    this.reclaim(nowNs);
    if (this.live === this.max) {
      if (this.whenFull === 'drop') return -1;
      this.evictOldest();
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
  private reclaim(nowNs: number): void {
    let s: number;
    while ((s = this.open.popExpired(nowNs, this.gen, this.expiresNs)) >= 0) this.release(s);
    while (this.closing.popExpired(nowNs)) this.live--;
  }

  /** LRU eviction: a closed entry if any, else the oldest open one (its handle then names nothing). */
  private evictOldest(): void {
    this.evicted++;
    if (this.closing.popOldest()) {
      this.live--;
      return;
    }
    const s = this.open.popExpired(Number.POSITIVE_INFINITY, this.gen, this.expiresNs);
    if (s < 0) throw new Error(`conntrack: full (${this.live} of ${this.max}) but nothing to evict`);
    this.release(s);
  }

  /** The slot a handle names while its entry is open, else -1. */
  private slotOf(handle: number): number {
    if (handle < 0) return -1;
    const s = handle % SLOT_SPACE;
    const g = (handle - s) / SLOT_SPACE;
    return s < this.capacity && this.gen[s] === g && (g & 1) === 1 ? s : -1;
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
