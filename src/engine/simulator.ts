// The discrete-event simulator: a clock, an event queue and named handlers. Events are
// (kind, arg) integers dispatched to handlers registered once, so the hot loop allocates nothing.

import { EventQueue } from './event-queue.js';
import type { SimTime } from './time.js';

export type Handler = (arg: number) => void;

export interface RunOptions {
  /** Stop before the first event later than this time; the clock then reads `until`. */
  readonly until?: SimTime;
  /**
   * Called with the clock every `everyEvents` events (a power of two), for progress shown while
   * a long run goes on. It must not schedule: it reads the clock and nothing else.
   */
  readonly progress?: { readonly everyEvents: number; readonly report: (nowNs: SimTime) => void };
}

export class Simulator {
  private readonly queue = new EventQueue();
  private readonly handlers: Handler[] = [];
  private readonly names: string[] = [];
  private clock: SimTime = 0;
  private processed = 0;
  private stopped = false;

  /** Current simulated time in integer nanoseconds. */
  get now(): SimTime {
    return this.clock;
  }

  /** Events dispatched so far (cancelled ones excluded). */
  get eventsProcessed(): number {
    return this.processed;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Registers a handler and returns the event kind that dispatches to it. */
  register(name: string, handler: Handler): number {
    this.names.push(name);
    return this.handlers.push(handler) - 1;
  }

  kindName(kind: number): string {
    return this.names[kind];
  }

  /** Schedules `kind(arg)` after `delay` ns. */
  schedule(delay: SimTime, kind: number, arg = 0): void {
    if (!(delay >= 0)) throw new Error(`schedule: delay must be >= 0 ns, got ${delay}`);
    this.queue.push(this.clock + delay, kind, arg);
  }

  /** Schedules `kind(arg)` at absolute time `at` (not in the past). */
  scheduleAt(at: SimTime, kind: number, arg = 0): void {
    if (!(at >= this.clock)) throw new Error(`scheduleAt: ${at} ns is before now (${this.clock} ns)`);
    this.queue.push(at, kind, arg);
  }

  /**
   * As `schedule`, returning a handle for `cancel`. Handles are large numbers, so the plain
   * forms, which most events use, return nothing and allocate nothing.
   */
  scheduleCancellable(delay: SimTime, kind: number, arg = 0): number {
    if (!(delay >= 0)) throw new Error(`schedule: delay must be >= 0 ns, got ${delay}`);
    return this.queue.handleOf(this.queue.push(this.clock + delay, kind, arg));
  }

  cancel(handle: number): void {
    this.queue.cancel(handle);
  }

  /** Ends `run` after the current event. */
  stop(): void {
    this.stopped = true;
  }

  run(options: RunOptions = {}): void {
    const until = options.until ?? Infinity;
    const queue = this.queue;
    const handlers = this.handlers;
    const report = options.progress?.report;
    const mask = (options.progress?.everyEvents ?? 1) - 1;
    if ((mask & (mask + 1)) !== 0) throw new Error(`run: progress.everyEvents must be a power of two, got ${mask + 1}`);
    this.stopped = false;
    while (queue.length > 0 && !this.stopped) {
      if (until !== Infinity && queue.peekTime() > until) break;
      const slot = queue.pop();
      if (queue.isCancelled(slot)) continue;
      this.clock = queue.lastTime;
      this.processed++;
      handlers[queue.kindOf(slot)](queue.argOf(slot));
      if (report !== undefined && (this.processed & mask) === 0) report(this.clock);
    }
    if (until !== Infinity && !this.stopped && until > this.clock) this.clock = until;
  }
}
