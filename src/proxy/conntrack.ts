// One node's conntrack table: an entry per connection with its timeout, a hard maximum beyond
// which new connections are refused (`conntrack_full`), and entries that outlive the endpoint
// they point to (kube-proxy never flushes TCP entries). O(1) insert, lookup and remove.

/** kube-proxy's conntrack.min default (maxPerCore 32768 × cores, at least this). */
export const DEFAULT_CONNTRACK_MAX = 131_072;

export class Conntrack {
  /** connection id → slot. */
  private readonly slots = new Map<number, number>();
  private readonly expiresNs: Float64Array;
  private readonly endpoint: Int32Array;
  private readonly id: Float64Array;
  private readonly free: Int32Array;
  private freeTop: number;
  /** Generation of each slot, bumped per insert, so the ring can tell reused slots apart. */
  private readonly gen: Int32Array;
  /**
   * Insertion-order ring of (slot, generation), so a full table can reclaim expired entries
   * oldest first. Twice `max` long; compacted when full, which keeps it amortised O(1).
   */
  private readonly ring: Int32Array;
  private readonly ringGen: Int32Array;
  private ringHead = 0;
  private ringLength = 0;
  peak = 0;

  constructor(readonly max = DEFAULT_CONNTRACK_MAX) {
    this.expiresNs = new Float64Array(max);
    this.endpoint = new Int32Array(max);
    this.id = new Float64Array(max).fill(-1);
    this.free = new Int32Array(max);
    for (let i = 0; i < max; i++) this.free[i] = max - 1 - i;
    this.freeTop = max;
    this.gen = new Int32Array(max);
    this.ring = new Int32Array(2 * max);
    this.ringGen = new Int32Array(2 * max);
  }

  get size(): number {
    return this.slots.size;
  }

  /**
   * Tracks a new connection to `endpoint` (opaque to the table) until `nowNs + timeoutNs`.
   * Returns false when the table is full of live entries: the kernel drops the packet
   * ("nf_conntrack: table full, dropping packet").
   */
  insert(connId: number, endpoint: number, timeoutNs: number, nowNs: number): boolean {
    if (this.slots.has(connId)) throw new Error(`conntrack: connection ${connId} already tracked`);
    if (this.freeTop === 0) this.reclaimExpired(nowNs);
    if (this.freeTop === 0) return false;
    const s = this.free[--this.freeTop];
    this.slots.set(connId, s);
    this.id[s] = connId;
    this.endpoint[s] = endpoint;
    this.expiresNs[s] = nowNs + timeoutNs;
    this.gen[s]++;
    if (this.ringLength === this.ring.length) this.compactRing();
    const at = (this.ringHead + this.ringLength) % this.ring.length;
    this.ring[at] = s;
    this.ringGen[at] = this.gen[s];
    this.ringLength++;
    if (this.slots.size > this.peak) this.peak = this.slots.size;
    return true;
  }

  /** The tracked endpoint, or -1 when untracked or expired (an expired entry is removed). */
  lookup(connId: number, nowNs: number): number {
    const s = this.slots.get(connId);
    if (s === undefined) return -1;
    if (this.expiresNs[s] <= nowNs) {
      this.remove(connId);
      return -1;
    }
    return this.endpoint[s];
  }

  /** A packet on the connection re-arms its timeout (e.g. tcp_timeout_established). */
  refresh(connId: number, timeoutNs: number, nowNs: number): void {
    const s = this.slots.get(connId);
    if (s !== undefined) this.expiresNs[s] = nowNs + timeoutNs;
  }

  remove(connId: number): boolean {
    const s = this.slots.get(connId);
    if (s === undefined) return false;
    this.slots.delete(connId);
    this.id[s] = -1;
    this.free[this.freeTop++] = s;
    return true;
  }

  /**
   * Frees expired entries from the oldest insertions on. Amortised O(1): each slot enters the
   * ring once per insert. With mixed timeouts a young short-lived entry behind an old long one
   * waits for it (a simplification of the kernel's per-bucket early_drop).
   */
  private reclaimExpired(nowNs: number): void {
    while (this.ringLength > 0) {
      const s = this.ring[this.ringHead];
      const live = this.id[s] >= 0 && this.gen[s] === this.ringGen[this.ringHead];
      if (live && this.expiresNs[s] > nowNs) return;
      this.ringHead = (this.ringHead + 1) % this.ring.length;
      this.ringLength--;
      if (live) this.remove(this.id[s]);
    }
  }

  /** Drops ring entries whose slot was removed or reused; at most `max` remain. */
  private compactRing(): void {
    const n = this.ring.length;
    let kept = 0;
    for (let i = 0; i < this.ringLength; i++) {
      const at = (this.ringHead + i) % n;
      const s = this.ring[at];
      if (this.id[s] < 0 || this.gen[s] !== this.ringGen[at]) continue;
      const to = (this.ringHead + kept) % n;
      this.ring[to] = s;
      this.ringGen[to] = this.ringGen[at];
      kept++;
    }
    this.ringLength = kept;
  }
}
