// Every node's closed (TIME_WAIT) conntrack entries, kept as their expiry times alone: no packet
// of the simulation reads them again, they only count against their table's maximum.

import { growInt32 } from '../engine/typed-arrays.js';

/** Expiries per chunk (256 bytes): a power of two, so a position within one is a mask, not a division. */
const CHUNK = 32;
const IN_CHUNK = CHUNK - 1;
/**
 * Chunks per page of expiries (128 KiB). Pages are added as the store grows and never copied: a
 * doubled array's copy held both halves at once, and a long run's peak memory with it.
 */
const PAGE_BITS = 9;
const PAGE_CHUNKS = 1 << PAGE_BITS;
const IN_PAGE = PAGE_CHUNKS - 1;

// A node's numbers, in the row its table keeps for it (see the constructor).
const OLDEST = 0; // the earliest expiry, +∞ when the node has none: what every insert reads
const COUNT = 1;
const TAIL = 2;
const HEAD_AT = 3; // position of the earliest expiry in the head chunk
const HEAD = 4; // chunk holding the earliest expiry, or -1 when the node has none
const BUFFERED = 5;
const BUFFER = 6; // the node's latest expiries, in order, after every one in its chunks
/** Expiries a node's row holds after its chunks: a node's chunks are touched once per this many closes. */
const IN_ROW = 5;
/** Numbers a node's row holds for its closed entries. */
export const CLOSED_ROW = BUFFER + IN_ROW;

/**
 * Each node's expiries, earliest first, as a list of fixed chunks drawn from one store and
 * returned to it as they empty: every chunk but the head is filled from its start, every chunk
 * but the tail is full. A node in TIME_WAIT at 14,000 connections a second holds over a million,
 * and a node of a 5,000-node cluster a hundred: the store grows by doubling only while all nodes
 * together hold more than ever before, and never copies a node's list to grow it. Connections
 * close nearly in time order (a reply accounted at its arrival time closes a little ahead, a
 * timed-out request at its timeout, a little behind), so an expiry is placed by moving the few
 * later ones at the tail up by one. The latest few wait in the node's row and join its chunks
 * together: a node of a large cluster, whose last chunk is long out of the cache, closes one
 * connection per tenth of a second.
 */
export class ClosedLists {
  private readonly pages: Float64Array[] = [];
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;
  private chunks = 0;
  /**
   * A node's numbers are CLOSED_ROW of `row`, from `node * stride + at`: the conntrack table
   * keeps them beside its own, so that an insert reads one row of the node's, in one or two
   * cache lines, where separate rows cost a miss each on a node not seen for a while.
   */
  constructor(
    nodes: number,
    private readonly row: Float64Array,
    private readonly stride: number,
    private readonly at: number,
  ) {
    for (let n = 0; n < nodes; n++) {
      const b = n * stride + at;
      row[b + OLDEST] = Number.POSITIVE_INFINITY;
      row[b + HEAD] = row[b + TAIL] = -1;
    }
    this.grow(64);
  }

  length(node: number): number {
    const b = node * this.stride + this.at;
    return this.row[b + COUNT] + this.row[b + BUFFERED];
  }

  /** The node's earliest expiry, +∞ when it has none. */
  oldest(node: number): number {
    return this.row[node * this.stride + this.at + OLDEST];
  }

  push(node: number, expiresNs: number): void {
    const { row } = this;
    const b = node * this.stride + this.at;
    if (expiresNs < row[b + OLDEST]) row[b + OLDEST] = expiresNs;
    let n = row[b + BUFFERED];
    if (n === IN_ROW) {
      // Each is no earlier than the chunks' last: they are appended, in order.
      for (let k = 0; k < n; k++) this.pushToChunks(b, row[b + BUFFER + k]);
      row[b + BUFFERED] = n = 0;
    }
    // Before the whole row's share, an expiry goes to the chunks unless their last is no later.
    if ((n === 0 || row[b + BUFFER] > expiresNs) && row[b + COUNT] > 0 && this.lastInChunks(b) > expiresNs) {
      this.pushToChunks(b, expiresNs);
      return;
    }
    let k = n;
    for (; k > 0 && row[b + BUFFER + k - 1] > expiresNs; k--) row[b + BUFFER + k] = row[b + BUFFER + k - 1];
    row[b + BUFFER + k] = expiresNs;
    row[b + BUFFERED] = n + 1;
  }

  /** The latest expiry in the node's chunks (it has some). */
  private lastInChunks(b: number): number {
    const at = (this.row[b + HEAD_AT] + this.row[b + COUNT] - 1) & IN_CHUNK;
    return this.value(this.row[b + TAIL], at);
  }

  /** The expiry at position `at` of chunk `c`. */
  private value(c: number, at: number): number {
    return this.pages[c >> PAGE_BITS][(c & IN_PAGE) * CHUNK + at];
  }

  private setValue(c: number, at: number, expiresNs: number): void {
    this.pages[c >> PAGE_BITS][(c & IN_PAGE) * CHUNK + at] = expiresNs;
  }

  private pushToChunks(b: number, expiresNs: number): void {
    const { row } = this;
    const count = row[b + COUNT];
    row[b + COUNT] = count + 1;
    if (count === 0) {
      const c = this.take();
      this.prev[c] = -1;
      row[b + HEAD] = row[b + TAIL] = c;
      row[b + HEAD_AT] = 0;
      this.setValue(c, 0, expiresNs);
      return;
    }
    let c = row[b + TAIL];
    let at = ((row[b + HEAD_AT] + count - 1) & IN_CHUNK) + 1;
    if (at === CHUNK) {
      const t = this.take();
      this.next[c] = t;
      this.prev[t] = c;
      row[b + TAIL] = c = t;
      at = 0;
    }
    // The free position moves back past every later expiry; equal ones keep their closing order.
    for (let k = count; k > 0; k--) {
      const pc = at === 0 ? this.prev[c] : c;
      const pat = at === 0 ? CHUNK - 1 : at - 1;
      const v = this.value(pc, pat);
      if (v <= expiresNs) break;
      this.setValue(c, at, v);
      c = pc;
      at = pat;
    }
    this.setValue(c, at, expiresNs);
  }

  /** Removes the node's earliest expiry, expired or not (an early drop, an eviction). */
  popOldest(node: number): void {
    const { row } = this;
    const b = node * this.stride + this.at;
    if (row[b + COUNT] > 0) this.popFromChunks(b);
    else {
      const n = row[b + BUFFERED];
      if (n === 0) throw new Error('conntrack: no closing entry to drop');
      for (let k = 1; k < n; k++) row[b + BUFFER + k - 1] = row[b + BUFFER + k];
      row[b + BUFFERED] = n - 1;
    }
    const head = row[b + HEAD];
    row[b + OLDEST] = head >= 0 ? this.value(head, row[b + HEAD_AT]) : row[b + BUFFERED] > 0 ? row[b + BUFFER] : Number.POSITIVE_INFINITY;
  }

  private popFromChunks(b: number): void {
    const { row } = this;
    const count = row[b + COUNT];
    row[b + COUNT] = count - 1;
    let head = row[b + HEAD];
    let at = row[b + HEAD_AT] + 1;
    if (count === 1 || at === CHUNK) {
      this.free[this.freeTop++] = head;
      head = count === 1 ? -1 : this.next[head];
      row[b + HEAD] = head;
      if (head < 0) row[b + TAIL] = -1;
      else this.prev[head] = -1;
      at = 0;
    }
    row[b + HEAD_AT] = at;
  }

  /** Σ over the node's expiries, earliest first, of f(expiry). */
  sum(node: number, f: (expiresNs: number) => number): number {
    const b = node * this.stride + this.at;
    let c = this.row[b + HEAD];
    let at = this.row[b + HEAD_AT];
    let total = 0;
    for (let k = this.row[b + COUNT]; k > 0; k--) {
      total += f(this.value(c, at));
      if (++at === CHUNK && k > 1) {
        c = this.next[c];
        at = 0;
      }
    }
    for (let k = 0; k < this.row[b + BUFFERED]; k++) total += f(this.row[b + BUFFER + k]);
    return total;
  }

  /** An empty chunk from the store; its `next` is unset until it is linked. */
  private take(): number {
    if (this.freeTop === 0) this.grow(this.chunks * 2);
    return this.free[--this.freeTop];
  }

  private grow(chunks: number): void {
    while (this.pages.length * PAGE_CHUNKS < chunks) this.pages.push(new Float64Array(PAGE_CHUNKS * CHUNK));
    this.next = growInt32(this.next, chunks);
    this.prev = growInt32(this.prev, chunks);
    const free = growInt32(this.free.subarray(0, this.freeTop), chunks);
    for (let c = chunks - 1; c >= this.chunks; c--) free[this.freeTop++] = c;
    this.free = free;
    this.chunks = chunks;
  }
}
