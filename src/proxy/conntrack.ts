// One node's conntrack table: an entry per connection with its timeout, a hard maximum beyond
// which new connections are refused (`conntrack_full`), and entries that outlive the endpoint
// they point to (kube-proxy never flushes TCP entries). Entries are named by the handle
// `insert` returns, so nothing is hashed per packet; insert, lookup and refresh are O(1).

/** kube-proxy's conntrack.min default (maxPerCore 32768 × cores, at least this). */
export const DEFAULT_CONNTRACK_MAX = 131_072;

/** Handles pack (generation, slot); slots stay below 2^25, so a handle is an exact double. */
const SLOT_SPACE = 2 ** 25;
export const CONNTRACK_MAX_LIMIT = SLOT_SPACE;

export class Conntrack {
  private expiresNs = new Float64Array(0);
  private endpoint = new Int32Array(0);
  /** Generation of each slot, bumped per insert; odd while the slot holds an entry. */
  private gen = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;
  /**
   * Insertion-order ring of (slot, generation), so expired entries are reclaimed oldest first.
   * Twice the slot count long; compacted when full, which keeps it amortised O(1).
   */
  private ring = new Int32Array(0);
  private ringGen = new Int32Array(0);
  private ringHead = 0;
  private ringLength = 0;
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
    this.reclaimExpired(nowNs);
    if (this.freeTop === 0 && this.capacity < this.max) this.grow(Math.min(this.max, this.capacity * 2));
    if (this.freeTop === 0) return -1;
    const s = this.free[--this.freeTop];
    this.endpoint[s] = endpoint;
    this.expiresNs[s] = nowNs + timeoutNs;
    const g = ++this.gen[s];
    if (this.ringLength === this.ring.length) this.compactRing();
    const at = (this.ringHead + this.ringLength) % this.ring.length;
    this.ring[at] = s;
    this.ringGen[at] = g;
    this.ringLength++;
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
    if (s >= 0) this.expiresNs[s] = nowNs + timeoutNs;
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

  /**
   * Frees expired entries from the oldest insertions on. Amortised O(1): each slot enters the
   * ring once per insert. With mixed timeouts a young short-lived entry behind an old long one
   * waits for it (a simplification of the kernel's per-bucket early_drop).
   */
  private reclaimExpired(nowNs: number): void {
    while (this.ringLength > 0) {
      const s = this.ring[this.ringHead];
      const live = this.gen[s] === this.ringGen[this.ringHead];
      if (live && this.expiresNs[s] > nowNs) return;
      this.ringHead = (this.ringHead + 1) % this.ring.length;
      this.ringLength--;
      if (live) this.release(s);
    }
  }

  /** Drops ring entries whose slot was freed or reused. */
  private compactRing(): void {
    const n = this.ring.length;
    let kept = 0;
    for (let i = 0; i < this.ringLength; i++) {
      const at = (this.ringHead + i) % n;
      const s = this.ring[at];
      if (this.gen[s] !== this.ringGen[at]) continue;
      const to = (this.ringHead + kept) % n;
      this.ring[to] = s;
      this.ringGen[to] = this.ringGen[at];
      kept++;
    }
    this.ringLength = kept;
  }

  /** Adds slots up to `capacity`, keeping every entry and the ring's order. */
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
    const ring = new Int32Array(2 * capacity);
    const ringGen = new Int32Array(2 * capacity);
    for (let i = 0; i < this.ringLength; i++) {
      const at = (this.ringHead + i) % this.ring.length;
      ring[i] = this.ring[at];
      ringGen[i] = this.ringGen[at];
    }
    Object.assign(this, { expiresNs, endpoint, gen, free, ring, ringGen, ringHead: 0, capacity });
  }
}
