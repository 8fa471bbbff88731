import { describe, expect, it, vi } from 'vitest';
import { type CapacityResult, probeWith, searchCapacity, sloTerms } from '../../src/experiment/capacity.js';
import { capacityResults } from '../../src/experiment/capacity-results.js';
import type { ExperimentResults } from '../../src/experiment/results.js';
import { chartsFor } from '../../src/io/chart-specs.js';
import { renderSvg } from '../../src/io/render-chart.js';
import { syntheticResults } from './synthetic-results.js';

// A set-up whose p99 is rate/100 ms (± 0.1 ms between its two replications) and that never
// fails a request: p99 < 20 ms holds below 2,000 requests/s, so the search must end within its
// tolerance under 2,000.
const p99At = (rate: number, replication: number) => rate / 100 + (replication === 0 ? -0.1 : 0.1);
const terms = sloTerms(['latency_p99_ms<20']);
if ('expected' in terms) throw new Error(terms.expected);

function search(start: number, bounds: { min?: number; max?: number } = {}): { result: CapacityResult; results: ExperimentResults } {
  const judged = new Map<number, ExperimentResults>();
  const runsAt = (rate: number, replications: number) => {
    const r = syntheticResults({}, replications, (_, rep) => ({ latency_p99_ms: p99At(rate, rep), error_share: 0 }));
    judged.set(rate, r);
    return r.runs;
  };
  const result = searchCapacity(probeWith(runsAt, terms.slos, 2, 2), { start, tolerance: 0.01, ...bounds });
  return { result, results: capacityResults(judged) };
}

const specOf = (results: ExperimentResults, result: CapacityResult) => chartsFor(results, undefined, terms.slos, result).find((c) => c.name === 'p99-by-rate')?.spec as unknown as { data: { values: Record<string, unknown>[] } };

describe("a capacity search's chart", () => {
  const { result, results } = search(100);

  it('has a point per probe at its rate and a rule at the capacity the search found', () => {
    if (result.kind !== 'found') throw new Error(result.kind);
    expect(result.best.rate).toBeLessThan(2000);
    expect(result.best.rate).toBeGreaterThan(2000 * 0.99);
    const values = specOf(results, result).data.values;
    const points = values.filter((v) => v.kind === 'p99');
    expect(points.map((p) => p.rate)).toEqual([...new Set(result.probes.map((p) => p.rate))].sort((a, b) => a - b));
    for (const p of points) expect(p.p99 as number).toBeCloseTo((p.rate as number) / 100, 9);
    expect(values.filter((v) => v.kind === 'capacity')).toEqual([{ kind: 'capacity', rate: result.best.rate, label: `capacity ${Number(result.best.rate.toPrecision(5)).toLocaleString('en-US')} requests/s` }]);
    expect(values.filter((v) => v.kind === 'slo').map((v) => v.p99)).toEqual([20]);
  });

  it('shows a probe whose interval straddled the SLO apart from the decided ones', () => {
    // Two replications ± 0.1 ms: t(0.975, 1)·0.1 ≈ 1.27 ms, so probes within that of 20 ms stay undecided.
    const values = specOf(results, result).data.values.filter((v) => v.kind === 'p99');
    const near = values.filter((v) => Math.abs((v.p99 as number) - 20) < 1);
    expect(near.length).toBeGreaterThan(0);
    for (const v of near) expect(v.verdict).toBe((v.p99 as number) < 20 ? 'undecided, meets on the mean' : 'undecided, misses on the mean');
    for (const v of values.filter((x) => Math.abs((x.p99 as number) - 20) > 2)) expect(v.verdict).toBe((v.p99 as number) < 20 ? 'meets' : 'misses');
  });

  it('says when no rate met the SLO, and when the highest rate tried still did', () => {
    const none = search(5000, { min: 4000 });
    expect(none.result.kind).toBe('below-min');
    const noneValues = specOf(none.results, none.result).data.values;
    expect(noneValues.filter((v) => v.kind === 'capacity')).toEqual([]);
    expect(noneValues.filter((v) => v.kind === 'none').map((v) => v.label)).toEqual(['no rate tried meets the SLO']);
    const all = search(500, { max: 1000 });
    expect(all.result.kind).toBe('above-max');
    expect(specOf(all.results, all.result).data.values.filter((v) => v.kind === 'capacity').map((v) => v.rate)).toEqual([1000]);
  });

  it('renders without a Vega warning, on a log axis when the probes span more than a decade', async () => {
    const spec = specOf(results, result) as unknown as { layer: { encoding: { y?: { scale?: unknown } } }[] };
    expect(spec.layer.some((l) => JSON.stringify(l.encoding.y?.scale) === '{"type":"log"}')).toBe(true);
    // At 100/s the interval, 1 ± 1.27 ms, reaches below zero, where a log axis has no place: its
    // whisker is drawn to the foot of the axis instead, below the point.
    const low = specOf(results, result).data.values.filter((v) => v.kind === 'p99' && (v.lo as number) <= 0);
    expect(low.map((v) => v.rate)).toEqual([100]);
    for (const v of low) expect(v.whiskerLo as number).toBeGreaterThan(0);
    for (const v of low) expect(v.whiskerLo as number).toBeLessThan(v.p99 as number);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(await renderSvg(spec as never)).toContain('capacity 1,9');
      expect(warn.mock.calls).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('capacityResults', () => {
  it('joins the probes as a sweep over the rate: points in increasing rate, runs numbered afresh', () => {
    const byRate = new Map([
      [2000, syntheticResults({}, 2, () => ({}))],
      [1000, syntheticResults({}, 3, () => ({}))],
    ]);
    const r = capacityResults(byRate);
    expect(r.params).toEqual(['traffic.ratePerS']);
    expect(r.runColumns.slice(0, 5)).toEqual(['experiment', 'run', 'replication', 'seed', 'traffic.ratePerS']);
    expect(r.runs.map((row) => [row.run, row.replication, row['traffic.ratePerS']])).toEqual([
      [0, 0, 1000],
      [1, 1, 1000],
      [2, 2, 1000],
      [3, 0, 2000],
      [4, 1, 2000],
    ]);
    // Each run's pods follow it.
    expect(r.pods.filter((p) => p.run === 3).every((p) => p['traffic.ratePerS'] === 2000)).toBe(true);
    expect(r.pods).toHaveLength(10);
  });
});
