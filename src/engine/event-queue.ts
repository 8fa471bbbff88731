// A binary min-heap of pending events ordered by (time, sequence), held in typed arrays so that
// scheduling and popping allocate nothing. An event is a (kind, arg) pair of small integers.
//
// The earliest event may wait outside the heap, in `nextEvent` (its slot, with `nextTime` and
// `nextSeq`): a handler often schedules an event sooner than everything pending (a packet handed
// on after a few hundred ns of CPU), and such an event is then pushed and popped in O(1) instead
// of sifting through the heap both ways. The order of events is exactly the heap's.

import { growFloat64, growInt32, growUint8 } from './typed-arrays.js';

/**
 * Slots are recycled; a handle carries the slot and its generation so a stale cancel is a no-op.
 * Generations count modulo 2^28, so a handle stays below 2^52, an exact double, however many
 * events a run has.
 */
const SLOT_BITS = 2 ** 24;
const GENERATIONS = 2 ** 28;

export class EventQueue {
  private cap: number;
  private size = 0;
  private seq = 0;
  private popped = 0;
  // Per heap position: time and slot. Per slot: the event's scheduling sequence (read only to
  // break ties of time, so sifting moves two numbers, not three), kind and argument.
  private time: Float64Array;
  private order: Float64Array;
  private kind: Int32Array;
  private arg: Int32Array;
  private generation: Int32Array;
  private cancelled: Uint8Array;
  private heap: Int32Array;
  private free: Int32Array;
  private freeCount = 0;
  private nextSlot = 0;
  /** The earliest pending event when it is held outside the heap (its slot, time and sequence), else slot -1. */
  private nextEvent = -1;
  private nextTime = 0;
  private nextSeq = 0;

  constructor(initialCapacity = 1024) {
    this.cap = initialCapacity;
    this.time = new Float64Array(this.cap);
    this.order = new Float64Array(this.cap);
    this.kind = new Int32Array(this.cap);
    this.arg = new Int32Array(this.cap);
    this.generation = new Int32Array(this.cap);
    this.cancelled = new Uint8Array(this.cap);
    this.heap = new Int32Array(this.cap);
    this.free = new Int32Array(this.cap);
  }

  get length(): number {
    return this.nextEvent >= 0 ? this.size + 1 : this.size;
  }

  /**
   * Adds an event and returns its slot (a small integer, so returning it allocates nothing);
   * `handleOf` turns it into a handle for `cancel`.
   */
  push(at: number, kind: number, arg: number): number {
    const slot = this.freeCount > 0 ? this.free[--this.freeCount] : this.newSlot();
    this.kind[slot] = kind;
    this.arg[slot] = arg;
    this.cancelled[slot] = 0;
    const seq = this.seq++;
    // A later sequence never precedes an equal time, so `at` alone decides against earlier events.
    if (this.nextEvent < 0) {
      if (this.size === 0 || at < this.time[0]) this.holdNext(slot, at, seq);
      else this.heapPush(slot, at, seq);
    } else if (at < this.nextTime) {
      this.heapPush(this.nextEvent, this.nextTime, this.nextSeq);
      this.holdNext(slot, at, seq);
    } else {
      this.heapPush(slot, at, seq);
    }
    return slot;
  }

  /** A handle naming the event now in `slot` and no later one. */
  handleOf(slot: number): number {
    return this.generation[slot] * SLOT_BITS + slot;
  }

  private holdNext(slot: number, at: number, seq: number): void {
    this.nextEvent = slot;
    this.nextTime = at;
    this.nextSeq = seq;
  }

  private heapPush(slot: number, at: number, seq: number): void {
    // Sift up; times live in heap order so comparisons read neighbouring memory.
    const heap = this.heap;
    const time = this.time;
    const order = this.order;
    order[slot] = seq;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = time[parent];
      if (pt < at || (pt === at && order[heap[parent]] < seq)) break;
      time[i] = pt;
      heap[i] = heap[parent];
      i = parent;
    }
    time[i] = at;
    heap[i] = slot;
  }

  /** Marks an event so that it is skipped when popped; a fired or stale handle is ignored. */
  cancel(handle: number): void {
    const slot = handle % SLOT_BITS;
    if (this.generation[slot] === (handle - slot) / SLOT_BITS) this.cancelled[slot] = 1;
  }

  /** Time of the earliest pending event (cancelled ones included), or Infinity. */
  peekTime(): number {
    if (this.nextEvent >= 0) return this.nextTime;
    return this.size > 0 ? this.time[0] : Infinity;
  }

  /**
   * Removes the earliest event and returns its slot, valid until the next push; read it with
   * `kindOf`, `argOf`, `isCancelled`, and its time with `lastTime`.
   */
  pop(): number {
    const held = this.nextEvent;
    if (held >= 0) {
      this.nextEvent = -1;
      this.popped = this.nextTime;
      this.generation[held] = (this.generation[held] + 1) % GENERATIONS;
      this.free[this.freeCount++] = held;
      return held;
    }
    const heap = this.heap;
    const time = this.time;
    const order = this.order;
    const top = heap[0];
    this.popped = time[0];
    const n = --this.size;
    if (n > 0) {
      const lt = time[n];
      const ls = heap[n];
      const lo = order[ls];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        let ct = time[child];
        const right = child + 1;
        if (right < n) {
          const rt = time[right];
          if (rt < ct || (rt === ct && order[heap[right]] < order[heap[child]])) {
            child = right;
            ct = rt;
          }
        }
        if (lt < ct || (lt === ct && lo < order[heap[child]])) break;
        time[i] = ct;
        heap[i] = heap[child];
        i = child;
      }
      time[i] = lt;
      heap[i] = ls;
    }
    this.generation[top] = (this.generation[top] + 1) % GENERATIONS;
    this.free[this.freeCount++] = top;
    return top;
  }

  /** Time of the event last popped. */
  get lastTime(): number {
    return this.popped;
  }
  kindOf(slot: number): number {
    return this.kind[slot];
  }
  argOf(slot: number): number {
    return this.arg[slot];
  }
  isCancelled(slot: number): boolean {
    return this.cancelled[slot] === 1;
  }

  private newSlot(): number {
    if (this.nextSlot === this.cap) this.grow();
    return this.nextSlot++;
  }

  private grow(): void {
    const cap = this.cap * 2;
    if (cap > SLOT_BITS) throw new Error(`event queue: more than ${SLOT_BITS} pending events`);
    this.time = growFloat64(this.time, cap);
    this.order = growFloat64(this.order, cap);
    this.kind = growInt32(this.kind, cap);
    this.arg = growInt32(this.arg, cap);
    this.generation = growInt32(this.generation, cap);
    this.heap = growInt32(this.heap, cap);
    this.free = growInt32(this.free, cap);
    this.cancelled = growUint8(this.cancelled, cap);
    this.cap = cap;
  }
}
