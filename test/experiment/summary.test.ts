import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile } from '../../src/experiment/student-t.js';
import { meanCi, summarize, summaryColumns } from '../../src/experiment/summary.js';

describe("Student's t", () => {
  // Published two-sided 95% critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
  const table: [number, number][] = [
    [1, 12.706],
    [2, 4.303],
    [3, 3.182],
    [4, 2.776],
    [9, 2.262],
    [19, 2.093],
    [30, 2.042],
    [100, 1.984],
  ];
  it.each(table)('gives t(0.975, %i) = %f to three decimals', (df, t) => {
    expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it('tends to the normal quantile 1.959964 for many degrees of freedom', () => {
    expect(studentTQuantile(0.975, 1e6)).toBeCloseTo(1.959964, 5);
  });

  it('has the Cauchy CDF at one degree of freedom', () => {
    for (const t of [-3, -0.5, 0, 0.7, 10]) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
  });

  it('is symmetric', () => {
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776, 3);
  });
});

describe('meanCi', () => {
  it('gives mean ± t(0.975, n−1)·s/√n', () => {
    // 1..5: mean 3, sample sd √2.5, so the half-width is 2.7764451·√(2.5/5).
    const s = meanCi([1, 2, 3, 4, 5]);
    expect(s.mean).toBe(3);
    expect(s.n).toBe(5);
    expect(s.ci95HalfWidth).toBeCloseTo(2.7764451 * Math.sqrt(0.5), 6);
  });

  it('leaves out undefined values and gives no interval for one value', () => {
    expect(meanCi([Number.NaN, 7])).toEqual({ mean: 7, ci95HalfWidth: Number.NaN, n: 1 });
    expect(meanCi([]).n).toBe(0);
  });
});

describe('summarize', () => {
  it('gives one row per sweep point × metric, the seed and the swept values first', () => {
    const metrics = (p99: number) => ({ latency_p99_ms: p99, requests: 10 });
    const runs = [
      { run: 0, 'proxy.mode': 'iptables', ...metrics(1) },
      { run: 1, 'proxy.mode': 'iptables', ...metrics(3) },
      { run: 2, 'proxy.mode': 'ipvs', ...metrics(10) },
      { run: 3, 'proxy.mode': 'ipvs', ...metrics(14) },
    ];
    const rows = summarize({ params: ['proxy.mode'], runs });
    expect(summaryColumns(['proxy.mode'])).toEqual(['seed', 'proxy.mode', 'metric', 'mean', 'ci95_half_width', 'n']);
    const p99 = rows.filter((r) => r.metric === 'latency_p99_ms');
    // Two values a, b: s = |a−b|/√2, half-width = t(0.975,1)·s/√2 = 12.7062·|a−b|/2.
    expect(p99).toEqual([
      { 'proxy.mode': 'iptables', metric: 'latency_p99_ms', mean: 2, ci95_half_width: expect.closeTo(12.7062047, 5), n: 2 },
      { 'proxy.mode': 'ipvs', metric: 'latency_p99_ms', mean: 12, ci95_half_width: expect.closeTo(2 * 12.7062047, 5), n: 2 },
    ]);
    // A metric the runs lack is summarized as undefined with n = 0, not dropped.
    expect(rows.find((r) => r.metric === 'hops_mean')?.n).toBe(0);
  });
});
