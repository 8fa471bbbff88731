// The closing (TIME_WAIT) entries of a conntrack table, kept as their expiry times alone: no
// packet of the simulation reads them again, they only count against the table's maximum.

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
export class ClosingQueue {
  private readonly chunks: Float64Array[] = [];
  private readonly spare: Float64Array[] = [];
  /** Position of the oldest entry within the first chunk. */
  private head = 0;
  length = 0;

  push(expiresNs: number): void {
    if (this.head + this.length === this.capacity()) this.makeRoom();
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
    this.popOldest();
    return true;
  }

  /** Removes the oldest entry, expired or not (an early drop). */
  popOldest(): void {
    if (this.length === 0) throw new Error('conntrack: no closing entry to drop');
    this.length--;
    if (++this.head === CHUNK) {
      this.spare.push(this.chunks.shift() as Float64Array);
      this.head = 0;
    }
  }

  /** Every chunk but the last is full-sized; a lone first chunk may be smaller. */
  private capacity(): number {
    const n = this.chunks.length;
    return n === 0 ? 0 : (n - 1) * CHUNK + this.chunks[n - 1].length;
  }

  /**
   * A queue that has never held a chunk's worth keeps one small chunk, doubled as it fills: a
   * cluster of thousands of nodes, each closing a few connections, would otherwise hold 64 KiB
   * per node. Past that, whole chunks, recycled.
   */
  private makeRoom(): void {
    const first = this.chunks[0];
    if (this.chunks.length <= 1 && this.spare.length === 0 && (first === undefined || first.length < CHUNK)) {
      const next = new Float64Array(Math.min(CHUNK, Math.max(16, 2 * this.length)));
      if (first !== undefined) next.set(first.subarray(this.head, this.head + this.length));
      this.chunks[0] = next;
      this.head = 0;
      return;
    }
    this.chunks.push(this.spare.pop() ?? new Float64Array(CHUNK));
  }

  /** The k-th oldest entry's expiry. */
  at(k: number): number {
    const i = this.head + k;
    return this.chunks[(i / CHUNK) | 0][i % CHUNK];
  }

  private set(k: number, expiresNs: number): void {
    const i = this.head + k;
    this.chunks[(i / CHUNK) | 0][i % CHUNK] = expiresNs;
  }
}
