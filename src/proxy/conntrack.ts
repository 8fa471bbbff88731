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
 * Entries in the order their timeouts were set, each with the expiry it was queued with. With
 * one timeout per queue the expiries come out in order, so expired entries are found at the
 * head; an entry re-armed since (or freed) no longer matches its queued copy and is skipped.
 */
class ExpiryQueue {
  private slot = new Int32Array(64);
  private gen = new Int32Array(64);
  private at = new Float64Array(64);
  /** A second set of cells of the same size: compaction copies into it and swaps, allocating nothing. */
  private spareSlot = new Int32Array(64);
  private spareGen = new Int32Array(64);
  private spareAt = new Float64Array(64);
  private head = 0;
  length = 0;

  push(slot: number, gen: number, expiresNs: number, isCurrent: (slot: number, gen: number, at: number) => boolean): void {
    if (this.length === this.slot.length) this.relayout(isCurrent);
    const i = (this.head + this.length) % this.slot.length;
    this.slot[i] = slot;
    this.gen[i] = gen;
    this.at[i] = expiresNs;
    this.length++;
  }

  /** Frees, through `expire`, every current entry at the head that has expired by `nowNs`. */
  reclaim(nowNs: number, isCurrent: (slot: number, gen: number, at: number) => boolean, expire: (slot: number) => void): void {
    while (this.length > 0) {
      const h = this.head;
      const current = isCurrent(this.slot[h], this.gen[h], this.at[h]);
      if (current && this.at[h] > nowNs) return;
      this.head = (h + 1) % this.slot.length;
      this.length--;
      if (current) expire(this.slot[h]);
    }
  }

  /**
   * Drops copies that are no longer current, keeping the order; doubles the cells when more
   * than half are still current, so each relayout is paid for by the pushes that filled it.
   */
  private relayout(isCurrent: (slot: number, gen: number, at: number) => boolean): void {
    const n = this.slot.length;
    let kept = 0;
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) % n;
      if (isCurrent(this.slot[i], this.gen[i], this.at[i])) kept++;
    }
    if (kept * 2 > n) {
      this.spareSlot = new Int32Array(2 * n);
      this.spareGen = new Int32Array(2 * n);
      this.spareAt = new Float64Array(2 * n);
    }
    let to = 0;
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) % n;
      if (!isCurrent(this.slot[i], this.gen[i], this.at[i])) continue;
      this.spareSlot[to] = this.slot[i];
      this.spareGen[to] = this.gen[i];
      this.spareAt[to] = this.at[i];
      to++;
    }
    [this.slot, this.spareSlot] = [this.spareSlot, this.slot];
    [this.gen, this.spareGen] = [this.spareGen, this.gen];
    [this.at, this.spareAt] = [this.spareAt, this.at];
    if (this.spareSlot.length !== this.slot.length) {
      this.spareSlot = new Int32Array(this.slot.length);
      this.spareGen = new Int32Array(this.slot.length);
      this.spareAt = new Float64Array(this.slot.length);
    }
    this.head = 0;
    this.length = kept;
  }
}

export class Conntrack {
  private expiresNs = new Float64Array(0);
  private endpoint = new Int32Array(0);
  /** Generation of each slot, bumped per insert and per free; odd while the slot holds an entry. */
  private gen = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;
  /** New entries (established timeout) and re-armed ones (e.g. TIME_WAIT), each in timeout order. */
  private readonly inserted = new ExpiryQueue();
  private readonly rearmed = new ExpiryQueue();
  /** Slots allocated so far: arrays grow by doubling up to `max`, so a large limit costs memory only when used. */
  private capacity = 0;
  private live = 0;
  peak = 0;
  private readonly isCurrent = (slot: number, gen: number, at: number): boolean =>
    this.gen[slot] === gen && this.expiresNs[slot] === at;
  private readonly expire = (slot: number): void => this.release(slot);

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
    this.inserted.reclaim(nowNs, this.isCurrent, this.expire);
    this.rearmed.reclaim(nowNs, this.isCurrent, this.expire);
    if (this.freeTop === 0 && this.capacity < this.max) this.grow(Math.min(this.max, this.capacity * 2));
    if (this.freeTop === 0) return -1;
    const s = this.free[--this.freeTop];
    this.endpoint[s] = endpoint;
    this.expiresNs[s] = nowNs + timeoutNs;
    const g = ++this.gen[s];
    this.inserted.push(s, g, this.expiresNs[s], this.isCurrent);
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
    this.rearmed.push(s, this.gen[s], this.expiresNs[s], this.isCurrent);
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
    const free = new Int32Array(capacity);
    free.set(this.free.subarray(0, this.freeTop));
    for (let s = capacity - 1; s >= old; s--) free[this.freeTop++] = s;
    this.expiresNs = expiresNs;
    this.endpoint = endpoint;
    this.gen = gen;
    this.free = free;
    this.capacity = capacity;
  }
}
