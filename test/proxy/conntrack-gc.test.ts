// A conntrack table overfilled with TIME_WAIT entries, against the windows Linux 6.1's GC worker
// leaves (nf_conntrack_core.c, gc_worker), derived here from the kernel's own constants; and the
// table size kube-proxy sets (cmd/kube-proxy/app/server_linux_test.go, TestGetConntrackMax).

import { describe, expect, it } from 'vitest';
import type { GcPass } from '../../src/proxy/conntrack-gc.js';
import { Conntrack, conntrackMaxFor } from '../../src/proxy/conntrack.js';

// The kernel's numbers, written out rather than imported, so the model is checked against them.
const HZ = 250; // kernel/Kconfig.hz default
const FIRST_PASS_S = 1; // nf_conntrack_init_start: queue_delayed_work(..., HZ)
const INTERVAL_MAX_S = 60; // GC_SCAN_INTERVAL_MAX
const KILLS_PER_PASS = Math.floor(64_000 / HZ) + 1; // exits once expired_count > GC_SCAN_EXPIRED_MAX
const JIFFY_S = 1 / HZ;

describe('conntrack GC worker (Linux 6.1) on a table overfilled with TIME_WAIT entries', () => {
  const MAX = 10_000;
  const TIME_WAIT_S = 120;
  const STEP_MS = 1; // one new connection per millisecond, closed at once
  const RUN_S = 200;

  function run() {
    const passes: GcPass[] = [];
    const ct = new Conntrack(MAX, { onGcPass: (p) => passes.push(p) });
    const failures: number[] = [];
    const successes: number[] = [];
    const occupancy: [number, number][] = [];
    for (let k = 1; k <= RUN_S * 1000; k += STEP_MS) {
      const t = k * 1e6;
      const h = ct.insert(0, 86_400e9, t);
      if (h < 0) failures.push(t / 1e9);
      else {
        successes.push(t / 1e9);
        ct.close(h, TIME_WAIT_S * 1e9, t);
      }
      if (k % 100 === 0) occupancy.push([t / 1e9, ct.size]);
    }
    return { ct, passes, failures, successes, occupancy };
  }
  const r = run();

  it('fills at max / rate, then refuses until the first pass after the fill, one interval after the first pass', () => {
    const fillS = (MAX * STEP_MS) / 1000;
    const firstCycleS = FIRST_PASS_S + INTERVAL_MAX_S; // entries remaining > 60 s: the average clamps to the maximum
    expect(r.failures[0]).toBeCloseTo(fillS + 0.001, 6);
    // Every insert between the fill and that pass fails: nothing but the worker frees a TIME_WAIT entry.
    const before = r.failures.filter((t) => t < firstCycleS);
    expect(before.length).toBe(Math.round((firstCycleS - fillS) * 1000) - 1);
    const drop = r.passes.find((p) => p.killed > 0);
    expect(drop?.atNs).toBeCloseTo(firstCycleS * 1e9, -3);
    expect(drop?.earlyDropFlag).toBe(true);
    expect(drop?.killed).toBe(KILLS_PER_PASS);
  });

  it('admits exactly the entries a pass killed, then refuses until the next cycle or the first natural expiry', () => {
    const firstCycleS = FIRST_PASS_S + INTERVAL_MAX_S;
    const after = r.successes.filter((t) => t >= firstCycleS && t < firstCycleS + 5);
    expect(after.length).toBe(KILLS_PER_PASS);
    // The pass one jiffy later runs without the flag (it was cleared), so the table refills and
    // stays full: no insert succeeds until the oldest survivor's TIME_WAIT ends.
    const oldestSurvivorExpiryS = (KILLS_PER_PASS + 1) / 1000 + TIME_WAIT_S;
    const nextSuccess = r.successes.find((t) => t > firstCycleS + 1);
    expect(nextSuccess).toBeCloseTo(oldestSurvivorExpiryS, 6);
    const secondCycle = r.passes.filter((p) => p.killed > 0)[1];
    expect(secondCycle.atNs / 1e9).toBeCloseTo(firstCycleS + INTERVAL_MAX_S, 1);
  });

  it('fails only outside the windows the worker\'s schedule opens', () => {
    // A window opens at each killing pass and lasts while its kills are being taken up (1 ms each).
    const windows = r.passes.filter((p) => p.killed > 0).map((p) => [p.atNs / 1e9, p.atNs / 1e9 + p.killed / 1000] as const);
    expect(windows.length).toBeGreaterThanOrEqual(2);
    const inside = r.failures.filter((t) => windows.some(([a, b]) => t >= a && t < b - 1e-9));
    expect(inside).toEqual([]);
    // And outside them, with no natural expiry due, every insert fails: the windows are the only relief.
    const firstExpiryS = TIME_WAIT_S;
    const outside = (t: number) => t > 10.0005 && t < firstExpiryS && !windows.some(([a, b]) => t >= a && t < b);
    expect(r.successes.filter(outside)).toEqual([]);
    // A pass that killed requeued itself one jiffy later and cleared the flag.
    for (const p of r.passes.filter((q) => q.killed === KILLS_PER_PASS)) {
      expect(p.exit).toBe('expired-max');
      expect((p.nextNs - p.atNs) / 1e9).toBeGreaterThanOrEqual(JIFFY_S);
      expect((p.nextNs - p.atNs) / 1e9).toBeLessThan(JIFFY_S + 0.001);
    }
  });

  it('holds the table near its top from the fill on, and counts early drops and insert failures', () => {
    const full = r.occupancy.filter(([t]) => t > 10.5);
    expect(Math.min(...full.map(([, n]) => n))).toBeGreaterThanOrEqual(0.95 * MAX);
    expect(r.ct.earlyDrops).toBe(r.passes.reduce((a, p) => a + p.killed, 0));
    expect(r.ct.earlyDrops).toBeGreaterThanOrEqual(2 * KILLS_PER_PASS);
    expect(r.ct.insertFailures).toBe(r.failures.length);
  });

  it('leaves a table below 95 % alone even when an insert failed', () => {
    // A pass kills only while count >= max / 100 * 95; one closing entry among open ones is kept.
    const ct = new Conntrack(100);
    for (let i = 0; i < 99; i++) ct.insert(0, 86_400e9, i);
    const h = ct.insert(0, 86_400e9, 100);
    ct.close(h, 120e9, 200);
    expect(ct.insert(0, 86_400e9, 300)).toBe(-1);
    ct.settle(62e9);
    // 100 entries ≥ 95: the one droppable entry goes; open (assured, established) ones stay.
    expect(ct.earlyDrops).toBe(1);
    expect(ct.size).toBe(99);
  });
});

describe('conntrack table size as kube-proxy sets it', () => {
  // TestGetConntrackMax's cases: the scaled value wins over a smaller min, min over a smaller one.
  it.each([
    [67_890, 1, 4, 67_890 * 4],
    [1, 123_456, 4, 123_456],
    [32_768, 131_072, 4, 131_072],
    [32_768, 131_072, 16, 524_288],
  ])('maxPerCore %i, min %i, %i cores: %i', (perCore, min, cores, expected) => {
    expect(conntrackMaxFor(perCore, min, cores)).toBe(expected);
  });

  it('leaves the kernel\'s own maximum when maxPerCore is 0 (262144 on a 64-bit node over 4 GiB)', () => {
    expect(conntrackMaxFor(0, 123_456, 4)).toBe(262_144);
  });
});
