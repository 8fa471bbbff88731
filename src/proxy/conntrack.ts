// One node's conntrack table: an entry per connection with its timeout, a hard maximum beyond
// which new connections are refused (`conntrack_full`), and entries that outlive the endpoint
// they point to (kube-proxy never flushes TCP entries). Entries are named by the handle
// `insert` returns, so nothing is hashed per packet; insert, lookup and refresh are O(1).

/** kube-proxy's conntrack.min default (maxPerCore 32768 × cores, at least this). */
export const DEFAULT_CONNTRACK_MAX = 131_072;

/** Handles pack (generation, slot); slots stay below 2^25, so a handle is an exact double. */
const SLOT_SPACE = 2 ** 25;
export const CONNTRACK_MAX_LIMIT = SLOT_SPACE;

/**
 * Entries in the order their timeouts were set, each named by its slot and the arm count the
 * slot had then. With one timeout per queue the expiries come out in order, so expired entries
 * are found at the head; an entry re-armed since (or freed) has a newer arm count and its queued
 * copy is skipped. A power-of-two ring, so positions wrap with a mask.
 */
class ExpiryQueue {
  private slot = new Int32Array(64);
  private arm = new Int32Array(64);
  private head = 0;
  length = 0;

  push(slot: number, arm: number, armOf: Int32Array): void {
    if (this.length === this.slot.length) this.compact(armOf);
    const i = (this.head + this.length) & (this.slot.length - 1);
    this.slot[i] = slot;
    this.arm[i] = arm;
    this.length++;
  }

  /** Removes and returns the slot at the head if it is current and expired by `nowNs`; else -1. Stale copies on the way are dropped. */
  popExpired(nowNs: number, armOf: Int32Array, expiresNs: Float64Array): number {
    const mask = this.slot.length - 1;
    while (this.length > 0) {
      const h = this.head;
      const slot = this.slot[h];
      const current = armOf[slot] === this.arm[h];
      if (current && expiresNs[slot] > nowNs) return -1;
      this.head = (h + 1) & mask;
      this.length--;
      if (current) return slot;
    }
    return -1;
  }

  /**
   * Drops copies that are no longer current, in place and in order; doubles the ring when more
   * than half are still current, so each compaction is paid for by the pushes that filled it.
   */
  private compact(armOf: Int32Array): void {
    const mask = this.slot.length - 1;
    let kept = 0;
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) & mask;
      if (armOf[this.slot[i]] !== this.arm[i]) continue;
      const to = (this.head + kept) & mask;
      this.slot[to] = this.slot[i];
      this.arm[to] = this.arm[i];
      kept++;
    }
    this.length = kept;
    if (kept * 2 <= this.slot.length) return;
    const slot = new Int32Array(2 * this.slot.length);
    const arm = new Int32Array(2 * this.slot.length);
    for (let k = 0; k < kept; k++) {
      const i = (this.head + k) & mask;
      slot[k] = this.slot[i];
      arm[k] = this.arm[i];
    }
    this.slot = slot;
    this.arm = arm;
    this.head = 0;
  }
}

export class Conntrack {
  private expiresNs = new Float64Array(0);
  private endpoint = new Int32Array(0);
  /** Generation of each slot, bumped per insert and per free; odd while the slot holds an entry. */
  private gen = new Int32Array(0);
  /** Bumped whenever a slot's timeout is set or it is freed, so queued copies of older timeouts are stale. */
  private arm = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;
  /** New entries (established timeout) and re-armed ones (e.g. TIME_WAIT), each in timeout order. */
  private readonly inserted = new ExpiryQueue();
  private readonly rearmed = new ExpiryQueue();
  /** Slots allocated so far: arrays grow by doubling up to `max`, so a large limit costs memory only when used. */
  private capacity = 0;
  private live = 0;
  peak = 0;

  constructor(readonly max = DEFAULT_CONNTRACK_MAX) {
    if (!(max >= 1 && max <= SLOT_SPACE)) throw new Error(`conntrack: max must be 1..${SLOT_SPACE}, got ${max}`);
    this.grow(Math.min(max, 4096));
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
    // The kernel's garbage collector frees entries as they expire; here each insert does.
    let expired: number;
    while ((expired = this.inserted.popExpired(nowNs, this.arm, this.expiresNs)) >= 0) this.release(expired);
    while ((expired = this.rearmed.popExpired(nowNs, this.arm, this.expiresNs)) >= 0) this.release(expired);
    if (this.freeTop === 0 && this.capacity < this.max) this.grow(Math.min(this.max, this.capacity * 2));
    if (this.freeTop === 0) return -1;
    const s = this.free[--this.freeTop];
    this.endpoint[s] = endpoint;
    this.expiresNs[s] = nowNs + timeoutNs;
    const g = ++this.gen[s];
    this.inserted.push(s, ++this.arm[s], this.arm);
    if (++this.live > this.peak) this.peak = this.live;
    return g * SLOT_SPACE + s;
  }

  /** The tracked endpoint, or -1 when the entry is gone or expired (an expired entry is removed). */
  lookup(handle: number, nowNs: number): number {
    const s = this.slotOf(handle);
    if (s < 0) return -1;
    if (this.expiresNs[s] <= nowNs) {
      this.release(s);
      return -1;
    }
    return this.endpoint[s];
  }

  /** A packet on the connection re-arms its timeout (e.g. FIN → TIME_WAIT). */
  refresh(handle: number, timeoutNs: number, nowNs: number): void {
    const s = this.slotOf(handle);
    if (s < 0) return;
    this.expiresNs[s] = nowNs + timeoutNs;
    this.rearmed.push(s, ++this.arm[s], this.arm);
  }

  remove(handle: number): boolean {
    const s = this.slotOf(handle);
    if (s < 0) return false;
    this.release(s);
    return true;
  }

  /** The slot a handle names while its entry lives, else -1. */
  private slotOf(handle: number): number {
    if (handle < 0) return -1;
    const s = handle % SLOT_SPACE;
    const g = (handle - s) / SLOT_SPACE;
    return s < this.capacity && this.gen[s] === g && (g & 1) === 1 ? s : -1;
  }

  private release(s: number): void {
    this.gen[s]++; // even: free
    this.arm[s]++;
    this.free[this.freeTop++] = s;
    this.live--;
  }

  /** Adds slots up to `capacity`, keeping every entry. */
  private grow(capacity: number): void {
    const old = this.capacity;
    const expiresNs = new Float64Array(capacity);
    expiresNs.set(this.expiresNs);
    const endpoint = new Int32Array(capacity);
    endpoint.set(this.endpoint);
    const gen = new Int32Array(capacity);
    gen.set(this.gen);
    const arm = new Int32Array(capacity);
    arm.set(this.arm);
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeTop));
    for (let s = capacity - 1; s >= old; s--) free[this.freeTop++] = s;
    this.expiresNs = expiresNs;
    this.endpoint = endpoint;
    this.gen = gen;
    this.arm = arm;
    this.free = free;
    this.capacity = capacity;
  }
}
