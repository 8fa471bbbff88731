import { describe, expect, it } from 'vitest';
import { Simulator } from '../../src/engine/simulator.js';

describe('Simulator', () => {
  it('runs same-time events in the order they were scheduled', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const K = sim.register('k', (arg) => seen.push(arg));
    for (let i = 0; i < 50; i++) sim.schedule(1000, K, i);
    sim.schedule(500, K, -1);
    sim.run();
    expect(seen).toEqual([-1, ...Array.from({ length: 50 }, (_, i) => i)]);
  });

  it('orders many random times as a stable sort by (time, scheduling order)', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const K = sim.register('k', (arg) => seen.push(arg));
    const times = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 97) * 10);
    times.forEach((t, i) => sim.schedule(t, K, i));
    sim.run();
    const expected = times.map((t, i) => ({ t, i })).sort((a, b) => a.t - b.t || a.i - b.i).map((e) => e.i);
    expect(seen).toEqual(expected);
  });

  it('never fires a cancelled event, and ignores a handle whose event already fired', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    const K = sim.register('k', (arg) => seen.push(arg));
    const a = sim.scheduleCancellable(10, K, 1);
    sim.schedule(20, K, 2);
    const c = sim.scheduleCancellable(30, K, 3);
    sim.cancel(a);
    sim.run({ until: 25 });
    expect(seen).toEqual([2]);
    // The slot of event 1 may be reused by a new event; cancelling the old handle must not touch it.
    sim.schedule(1, K, 4);
    sim.cancel(a);
    sim.cancel(c);
    sim.run();
    expect(seen).toEqual([2, 4]);
  });

  it('advances the clock in integer nanoseconds and stops at `until`', () => {
    const sim = new Simulator();
    const at: number[] = [];
    const K = sim.register('k', () => at.push(sim.now));
    sim.schedule(1_500, K);
    sim.schedule(3_000_000_000, K);
    sim.run({ until: 2_000_000_000 });
    expect(at).toEqual([1_500]);
    expect(sim.now).toBe(2_000_000_000);
    sim.run();
    expect(at).toEqual([1_500, 3_000_000_000]);
  });

  it('lets handlers schedule further events while running', () => {
    const sim = new Simulator();
    let count = 0;
    const K = sim.register('tick', (n) => {
      count++;
      if (n > 0) sim.schedule(1, K, n - 1);
    });
    sim.schedule(0, K, 99_999);
    sim.run();
    expect(count).toBe(100_000);
    expect(sim.now).toBe(99_999);
  });

  it('refuses to schedule into the past', () => {
    const sim = new Simulator();
    expect(() => sim.schedule(-1, 0)).toThrow(/delay must be >= 0/);
  });
});
