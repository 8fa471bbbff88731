import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/metrics/latency-histogram.js';
import { Timeseries } from '../../src/metrics/timeseries.js';

const BUCKET_NS = 1e9;
const seededUniform = (seed: number) => {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31), x / 2 ** 31);
};

describe('Timeseries', () => {
  it('gives each bucket the p99 of its own latencies and the run every measured one, buckets closing as the clock passes them', () => {
    const series = new Timeseries(BUCKET_NS, ['ok', 'timeout'], ['pod-a']);
    const perBucket = Array.from({ length: 4 }, () => new LatencyHistogram());
    const measured = new LatencyHistogram();
    const u = seededUniform(7);
    // A clock moving through three buckets; each reply lands up to 1 ms after the clock.
    for (let nowNs = 0; nowNs < 3 * BUCKET_NS; nowNs += 50_000) {
      series.reachedPod(nowNs, 0);
      const atNs = nowNs + Math.floor(u() * 1e6);
      const latencyNs = Math.floor(-Math.log(1 - u()) * 2e6);
      const isMeasured = nowNs >= 0.5 * BUCKET_NS;
      series.ended(atNs, 0, latencyNs, isMeasured);
      perBucket[Math.floor(atNs / BUCKET_NS)].record(latencyNs);
      if (isMeasured) measured.record(latencyNs);
    }
    const p99 = series.rows().filter((r) => r.series === 'latency_p99_ms');
    expect(p99.map((r) => r.value)).toEqual(perBucket.slice(0, p99.length).map((h) => h.percentile(99) / 1e6));
    const run = series.measuredLatency();
    expect(run.count).toBe(measured.count);
    expect(run.percentile(99)).toBe(measured.percentile(99));
    expect(run.max).toBe(measured.max);
  });

  it('still counts a failure reported at a time whose bucket has closed (a timeout found late)', () => {
    const series = new Timeseries(BUCKET_NS, ['ok', 'timeout'], ['pod-a']);
    series.reachedPod(2.5 * BUCKET_NS, 0);
    series.ended(0.5 * BUCKET_NS, 1, 0, true);
    expect(series.rows().filter((r) => r.series === 'timeout').map((r) => r.value)).toEqual([1, 0, 0]);
  });

  it('throws when a latency would land in a bucket the clock has passed: the invariant that lets buckets close', () => {
    const series = new Timeseries(BUCKET_NS, ['ok'], ['pod-a']);
    series.reachedPod(1.5 * BUCKET_NS, 0);
    expect(() => series.ended(0.5 * BUCKET_NS, 0, 1000, true)).toThrow(/already passed/);
  });
});
