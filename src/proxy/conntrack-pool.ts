// Every node's conntrack table in one store: open entries in insertion order (with one
// established timeout, their expiry order) as a doubly linked list through slot rows shared by
// all nodes, closed ones in TIME_WAIT as expiries alone (conntrack-closed.ts), and per node a
// row of a few numbers. With a table of typed arrays and queues per node, a 5,000-node cluster
// spent its time in cache misses on a random node's scattered objects; here a connection
// touches its node's row and its slot's, and a freed slot is the next handed out, warm.
// The policies (netfilter's drop, the GC worker's early drop, a BPF LRU map's eviction) are
// described in conntrack.ts, whose Conntrack is one node's table as a view of this store.

import { growFloat64, growInt32 } from '../engine/typed-arrays.js';
import { CLOSED_ROW, ClosedLists } from './conntrack-closed.js';
import { type GcTable, GcWorker, GC_FIRST_PASS_NS } from './conntrack-gc.js';
import type { ConntrackOptions, WhenFull } from './conntrack.js';

/**
 * Handles pack (generation, slot); slots stay below 2^26 over the whole store. Generations count
 * modulo 2^27 (an even modulus keeps their parity), so a handle stays below 2^53, an exact
 * double, however long the run; a stale handle could only name a newer entry after exactly 2^26
 * reuses of its slot.
 */
export const SLOT_SPACE = 2 ** 26;
/** A handle splits by this product, not `%`: on a double above 2^31 that is a floating-point remainder, a slow call. */
const INV_SLOT_SPACE = 2 ** -26;
const GENERATIONS = 2 ** 27;
/** A node's table is at most half the slot space, so two full ones still fit. */
export const MAX_ENTRIES_PER_NODE = 2 ** 25;

/** The slot a (non-negative) handle names (slots are reused; the handle's generation tells uses apart). */
export const handleSlot = (handle: number): number => handle - Math.floor(handle * INV_SLOT_SPACE) * SLOT_SPACE;

// A node's row (Float64Array, ROW numbers a node): the fields every connection reads, together.
const LIVE = 0; // open entries plus closed ones still in TIME_WAIT
const PEAK = 1;
const OPEN_HEAD = 2; // oldest open entry's slot, or -1
const OPEN_TAIL = 3;
const GC_NEXT = 4; // when the node's GC worker runs its next pass (+∞ without one)
const CLOSED = 5; // where the node's closed entries' numbers start (conntrack-closed.ts)
const ROW = CLOSED + CLOSED_ROW;

// A slot's row (Int32Array, LINK numbers a slot). The generation is bumped per insert and per
// free: odd while the slot holds an open entry, which its handle names.
const GEN = 0;
const ENDPOINT = 1;
const NEXT = 2;
const PREV = 3;
const NODE = 4; // the node whose table holds the entry: a handle passed with another node is no entry of it
const LINK = 5;

/** Slots of a new store: small, since a one-node table of a test starts here too. */
const FIRST_SLOTS = 64;

export class ConntrackPool {
  readonly whenFull: WhenFull;
  /** New connections each node refused because its table was full ("table full, dropping packet"). */
  readonly insertFailures: Float64Array;
  /** Entries each node's LRU table evicted to make room (always 0 for 'drop'). */
  readonly evicted: Float64Array;
  private readonly row: Float64Array;
  private readonly closedLists: ClosedLists;
  private expiresNs = new Float64Array(0);
  private link = new Int32Array(0);
  private free = new Int32Array(0);
  private freeTop = 0;
  private capacity = 0;
  /** Each node's GC worker, made at its first pass or its first failed insert. */
  private readonly workers: (GcWorker | null)[];
  private readonly gcViews: (GcTable | null)[];
  private readonly gc: boolean;

  constructor(
    readonly nodes: number,
    /** Every node's nf_conntrack_max (or BPF CT map size). */
    readonly max: number,
    private readonly options: ConntrackOptions = {},
  ) {
    if (!(max >= 1 && max <= MAX_ENTRIES_PER_NODE)) throw new Error(`conntrack: max must be 1..${MAX_ENTRIES_PER_NODE}, got ${max}`);
    this.whenFull = options.whenFull ?? 'drop';
    this.gc = options.gc !== false && this.whenFull === 'drop';
    this.row = new Float64Array(nodes * ROW);
    for (let n = 0; n < nodes; n++) {
      const b = n * ROW;
      this.row[b + OPEN_HEAD] = this.row[b + OPEN_TAIL] = -1;
      this.row[b + GC_NEXT] = this.gc ? GC_FIRST_PASS_NS : Number.POSITIVE_INFINITY;
    }
    this.closedLists = new ClosedLists(nodes, this.row, ROW, CLOSED);
    this.insertFailures = new Float64Array(nodes);
    this.evicted = new Float64Array(nodes);
    this.workers = new Array<GcWorker | null>(nodes).fill(null);
    this.gcViews = new Array<GcTable | null>(nodes).fill(null);
    this.grow(Math.min(FIRST_SLOTS, max * nodes));
  }

  /** The node's entries: open ones plus closed ones still in TIME_WAIT (nf_conntrack_count). */
  size(node: number): number {
    return this.row[node * ROW + LIVE];
  }

  peak(node: number): number {
    return this.row[node * ROW + PEAK];
  }

  /** The node's TIME_WAIT entries, which the GC worker may early-drop. */
  closed(node: number): number {
    return this.closedLists.length(node);
  }

  /** Closing entries the node's GC worker has killed early. */
  earlyDrops(node: number): number {
    return this.workers[node]?.earlyDrops ?? 0;
  }

  /** The node's table as of `nowNs`: expired entries gone, the GC worker's passes due by then run. */
  settle(node: number, nowNs: number): void {
    this.reclaim(node, nowNs);
    const b = node * ROW;
    if (this.row[b + GC_NEXT] > nowNs) return;
    const worker = this.worker(node);
    worker.advanceTo(nowNs, this.gcViews[node] as GcTable);
    this.row[b + GC_NEXT] = worker.nextPassNs;
  }

  /**
   * Tracks a new connection to `endpoint` (opaque to the table) on `node` until `nowNs +
   * timeoutNs`. Returns its handle, or -1 when the node's table is full of live entries and
   * drops rather than evicts.
   */
  insert(node: number, endpoint: number, timeoutNs: number, nowNs: number): number {
    this.settle(node, nowNs);
    const b = node * ROW;
    if (this.row[b + LIVE] === this.max) {
      if (this.whenFull === 'evict') this.evictOldest(node);
      else {
        this.insertFailures[node]++;
        if (this.gc) this.worker(node).earlyDropFlag = true;
        return -1;
      }
    }
    if (this.freeTop === 0) this.grow(Math.min(this.capacity * 2, this.max * this.nodes, SLOT_SPACE));
    const s = this.free[--this.freeTop];
    const l = s * LINK;
    const g = (this.link[l + GEN] = (this.link[l + GEN] + 1) & (GENERATIONS - 1));
    this.link[l + ENDPOINT] = endpoint;
    this.link[l + NODE] = node;
    this.expiresNs[s] = nowNs + timeoutNs;
    this.append(b, s);
    const live = ++this.row[b + LIVE];
    if (live > this.row[b + PEAK]) this.row[b + PEAK] = live;
    return g * SLOT_SPACE + s;
  }

  /** The tracked endpoint of an open connection, or -1 when it is closed, gone or expired (an expired entry is removed). */
  lookup(node: number, handle: number, nowNs: number): number {
    const s = this.slotOf(node, handle);
    if (s < 0) return -1;
    if (this.expiresNs[s] <= nowNs) {
      this.dropOpen(node, s);
      return -1;
    }
    return this.link[s * LINK + ENDPOINT];
  }

  /** The connection closed (FIN): its entry stays in TIME_WAIT for `timeoutNs`; an unknown or expired handle does nothing. */
  close(node: number, handle: number, timeoutNs: number, nowNs: number): void {
    const s = this.slotOf(node, handle);
    if (s < 0) return;
    const expired = this.expiresNs[s] <= nowNs;
    this.dropOpen(node, s);
    if (expired) return;
    this.closedLists.push(node, nowNs + timeoutNs);
    this.row[node * ROW + LIVE]++;
  }

  remove(node: number, handle: number): boolean {
    const s = this.slotOf(node, handle);
    if (s < 0) return false;
    this.dropOpen(node, s);
    return true;
  }

  /** Frees the node's entries expired by `nowNs`, from the heads of its two lists (each in expiry order). */
  reclaim(node: number, nowNs: number): void {
    const b = node * ROW;
    let s: number;
    while ((s = this.row[b + OPEN_HEAD]) >= 0 && this.expiresNs[s] <= nowNs) this.dropOpen(node, s);
    while (this.closedLists.oldest(node) <= nowNs) this.dropOldestClosed(node);
  }

  /** Kills the node's `n` oldest TIME_WAIT entries (the GC worker's early drop). */
  earlyDrop(node: number, n: number): void {
    for (let k = 0; k < n; k++) this.dropOldestClosed(node);
  }

  /**
   * Σ over the node's entries of each one's remaining timeout clamped to [min, clamp], open ones
   * (oldest first) then closed ones (earliest expiry first).
   */
  clampedRemainingSumNs(node: number, nowNs: number, minNs: number, clampNs: number): number {
    const clamp = (expiresNs: number) => Math.min(clampNs, Math.max(minNs, expiresNs - nowNs));
    let sum = 0;
    for (let s = this.row[node * ROW + OPEN_HEAD]; s >= 0; s = this.link[s * LINK + NEXT]) sum += clamp(this.expiresNs[s]);
    return sum + this.closedLists.sum(node, clamp);
  }

  /** The slot a handle names while its entry is open on `node`, else -1. */
  private slotOf(node: number, handle: number): number {
    if (handle < 0) return -1;
    const g = Math.floor(handle * INV_SLOT_SPACE);
    const s = handle - g * SLOT_SPACE;
    const l = s * LINK;
    return s < this.capacity && this.link[l + GEN] === g && (g & 1) === 1 && this.link[l + NODE] === node ? s : -1;
  }

  /** An LRU table makes room: the oldest closed entry goes, else the longest-open one. */
  private evictOldest(node: number): void {
    this.evicted[node]++;
    const b = node * ROW;
    if (this.closedLists.length(node) > 0) {
      this.dropOldestClosed(node);
      return;
    }
    const s = this.row[b + OPEN_HEAD];
    if (s < 0) throw new Error(`conntrack: full (${this.row[b + LIVE]} of ${this.max}) but nothing to evict`);
    this.dropOpen(node, s);
  }

  private dropOpen(node: number, s: number): void {
    this.unlink(node * ROW, s);
    this.link[s * LINK + GEN] = (this.link[s * LINK + GEN] + 1) & (GENERATIONS - 1); // even: free
    this.free[this.freeTop++] = s;
    this.row[node * ROW + LIVE]--;
  }

  private dropOldestClosed(node: number): void {
    this.closedLists.popOldest(node);
    this.row[node * ROW + LIVE]--;
  }

  /** Links slot `s` at the tail of the node's open list. */
  private append(b: number, s: number): void {
    const { link, row } = this;
    const tail = row[b + OPEN_TAIL];
    link[s * LINK + PREV] = tail;
    link[s * LINK + NEXT] = -1;
    if (tail < 0) row[b + OPEN_HEAD] = s;
    else link[tail * LINK + NEXT] = s;
    row[b + OPEN_TAIL] = s;
  }

  private unlink(b: number, s: number): void {
    const { link, row } = this;
    const prev = link[s * LINK + PREV];
    const next = link[s * LINK + NEXT];
    if (prev < 0) row[b + OPEN_HEAD] = next;
    else link[prev * LINK + NEXT] = next;
    if (next < 0) row[b + OPEN_TAIL] = prev;
    else link[next * LINK + PREV] = prev;
  }

  private worker(node: number): GcWorker {
    let w = this.workers[node];
    if (w === null) {
      w = this.workers[node] = new GcWorker(this.options.onGcPass);
      this.gcViews[node] = this.gcView(node);
    }
    return w;
  }

  /** The node's table as its GC worker sees it. */
  private gcView(node: number): GcTable {
    const pool = this;
    return {
      max: this.max,
      get count() {
        return pool.size(node);
      },
      get droppable() {
        return pool.closed(node);
      },
      reclaim: (nowNs) => this.reclaim(node, nowNs),
      earlyDrop: (n) => this.earlyDrop(node, n),
      clampedRemainingSumNs: (nowNs, minNs, clampNs) => this.clampedRemainingSumNs(node, nowNs, minNs, clampNs),
    };
  }

  /**
   * Adds slots up to `capacity`, keeping every entry; slots are handed out lowest first. Doubling
   * over the whole store: a few dozen copies over a run, where every node's own arrays made thousands.
   */
  private grow(capacity: number): void {
    if (capacity <= this.capacity) throw new Error(`conntrack: more than ${SLOT_SPACE} entries across ${this.nodes} nodes`);
    const old = this.capacity;
    this.expiresNs = growFloat64(this.expiresNs, capacity);
    this.link = growInt32(this.link, capacity * LINK);
    const free = growInt32(this.free.subarray(0, this.freeTop), capacity);
    for (let s = capacity - 1; s >= old; s--) free[this.freeTop++] = s;
    this.free = free;
    this.capacity = capacity;
  }
}
