import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../src/engine/random.js';
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js';

/** The exact percentile by sorting: the ⌈q·n⌉-th smallest value. */
const exact = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil((q / 100) * sorted.length)) - 1];

describe('LatencyHistogram', () => {
  it('reports every percentile within 1/1024 of the exact order statistic (3 significant digits)', () => {
    const u = new RandomStreams(3, 0).stream('h');
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Log-uniform from 1 ns to ~100 s: every bucket range is exercised.
      const v = Math.floor(Math.exp(u() * Math.log(1e11)));
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]) {
      const truth = exact(values, q);
      const got = h.percentile(q);
      expect(got, `p${q}`).toBeGreaterThanOrEqual(truth);
      expect((got - truth) / Math.max(truth, 1), `p${q}`).toBeLessThanOrEqual(1 / 1024);
    }
    expect(h.max).toBe(values[values.length - 1]);
    expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });

  it('is exact below 2048 ns and for values beyond 2^32 ns keeps 3 significant digits', () => {
    const h = new LatencyHistogram();
    for (const v of [5, 5, 7, 2047]) h.record(v);
    expect(h.percentile(50)).toBe(5);
    expect(h.percentile(75)).toBe(7);
    expect(h.percentile(100)).toBe(2047);
    const big = new LatencyHistogram();
    big.record(123_456_789_012);
    expect(Math.abs(big.percentile(50) - 123_456_789_012) / 123_456_789_012).toBeLessThan(1 / 1024);
  });

  it('ranks percentiles exactly where q·n is a whole number (p99.9 of 1..1000 is 999)', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    expect(h.percentile(99.9)).toBe(999);
    expect(h.percentile(50)).toBe(500);
    expect(h.percentile(99)).toBe(990);
  });

  it('has no percentiles when empty', () => {
    expect(new LatencyHistogram().percentile(99)).toBeNaN();
  });

  it('merged from parts, reports the percentiles of the whole against sorted data', () => {
    const values = Array.from({ length: 5000 }, (_, i) => Math.round(1e6 * (1 + Math.sin(i) ** 2) + i * 997));
    const parts = [new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram()];
    values.forEach((v, i) => parts[i % 3].record(v));
    const merged = new LatencyHistogram();
    for (const p of parts) merged.add(p);
    const sorted = [...values].sort((a, b) => a - b);
    for (const q of [1, 50, 90, 99, 99.9]) {
      const truth = sorted[Math.ceil((q / 100) * sorted.length) - 1];
      expect((merged.percentile(q) - truth) / truth, `p${q}`).toBeLessThanOrEqual(1 / 1024);
      expect(merged.percentile(q)).toBeGreaterThanOrEqual(truth);
    }
    expect(merged.count).toBe(values.length);
    expect(merged.max).toBe(sorted[sorted.length - 1]);
    expect(merged.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });
});
