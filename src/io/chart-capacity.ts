// A capacity search drawn on p99 against the rate: every probe a point with its 95% CI whisker,
// coloured and shaped by its verdict (undecided ones apart), each latency_p99_ms SLO term a
// dashed rule, and the capacity found a labelled vertical rule. Pure: rows and result in, spec out.

import type { TopLevelSpec } from 'vega-lite';
import type { CapacityResult, Probe } from '../experiment/capacity.js';
import type { Assertion } from '../experiment/gates.js';
import type { ExperimentResults } from '../experiment/results.js';
import { p99Points, sloRules } from './chart-rate.js';
import { type ChartSpec, SCHEMA, scaleFor } from './chart-specs.js';

/** A probe's verdict as the legend says it; an undecided probe was judged on its means. */
const VERDICTS = {
  meets: { colour: '#4daf4a', shape: 'circle' },
  misses: { colour: '#e41a1c', shape: 'square' },
  'undecided, meets on the mean': { colour: '#ff7f00', shape: 'diamond' },
  'undecided, misses on the mean': { colour: '#984ea3', shape: 'diamond' },
} as const;
type VerdictLabel = keyof typeof VERDICTS;

export const verdictLabel = (p: Probe): VerdictLabel =>
  p.undecided ? (p.meets ? 'undecided, meets on the mean' : 'undecided, misses on the mean') : p.meets ? 'meets' : 'misses';

const rateText = (v: number): string => Number(v.toPrecision(5)).toLocaleString('en-US');

/** The capacity as a vertical rule's row, or, when no rate met the SLO, a note and no rule. */
function capacityMark(c: CapacityResult): Record<string, unknown> {
  switch (c.kind) {
    case 'found':
      return { kind: 'capacity', rate: c.best.rate, label: `capacity ${rateText(c.best.rate)} requests/s` };
    case 'above-max':
      return { kind: 'capacity', rate: c.best.rate, label: `capacity ≥ ${rateText(c.best.rate)} requests/s (the highest rate tried)` };
    case 'below-min':
      return { kind: 'none', label: 'no rate tried meets the SLO' };
  }
}

/**
 * Probes past the capacity often wait tens of times the SLO (8,000/s at 460 ms against 20 ms):
 * from one decade of means and thresholds on, a log axis keeps the probes near the threshold
 * apart. A whisker whose lower end is not positive (a t interval of two wide replications) is
 * drawn to half the lowest value shown, the foot of the axis.
 */
function latencyAxis(means: readonly number[], his: readonly number[], los: readonly number[]): { scale: Record<string, unknown>; floor: number } {
  const shown = [...means, ...his];
  const positive = shown.filter((v) => v > 0);
  const log = positive.length === shown.length && positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 10;
  if (!log) return { scale: scaleFor([...los, ...his]), floor: Number.NEGATIVE_INFINITY };
  return { scale: { type: 'log' }, floor: Math.min(...positive, ...los.filter((v) => v > 0)) / 2 };
}

export function capacityChart(r: ExperimentResults, slos: readonly Assertion[], capacity: CapacityResult): ChartSpec {
  // The last probe at a rate is the one whose runs the results hold.
  const verdicts = new Map(capacity.probes.map((p) => [p.rate, verdictLabel(p)]));
  const rules = sloRules(slos);
  const raw = p99Points(r);
  const axis = latencyAxis(
    [...raw.map((p) => p.p99), ...rules.map((x) => x.p99)],
    raw.map((p) => p.hi),
    raw.map((p) => p.lo),
  );
  const points = raw.map(({ rest: _, ...p }) => {
    const verdict = verdicts.get(p.rate);
    if (verdict === undefined) throw new Error(`capacityChart: runs at ${p.rate} requests/s, which no probe ran`);
    return { ...p, whiskerLo: Math.max(p.lo, axis.floor), verdict };
  });
  const seen = (Object.keys(VERDICTS) as VerdictLabel[]).filter((v) => points.some((p) => p.verdict === v));
  const scale = (channel: 'colour' | 'shape') => ({ domain: seen, range: seen.map((v) => VERDICTS[v][channel]) });
  const y = { field: 'p99', type: 'quantitative', title: 'p99 latency of successful requests (ms)', scale: axis.scale };
  // A search probes around its answer, far from zero: the rate axis spans the probes only.
  const x = { field: 'rate', type: 'quantitative', title: 'offered rate (requests/s)', scale: { zero: false } };
  const only = (kind: string) => [{ filter: { field: 'kind', equal: kind } }];
  return {
    name: 'p99-by-rate',
    spec: {
      $schema: SCHEMA,
      title: 'p99 latency at each probed rate (mean, 95% CI), the SLO and the capacity found',
      data: { values: [...points, ...rules, capacityMark(capacity)] },
      width: 480,
      height: 280,
      layer: [
        { transform: only('capacity'), mark: { type: 'rule', color: '#1b7837', strokeWidth: 2, opacity: 0.7 }, encoding: { x } },
        { transform: only('capacity'), mark: { type: 'text', color: '#1b7837', align: 'left', baseline: 'top', dx: 4, dy: 4, fontWeight: 'bold' }, encoding: { x, y: { value: 0 }, text: { field: 'label' } } },
        { transform: only('none'), mark: { type: 'text', color: '#c00', align: 'left', baseline: 'top', dx: 4, dy: 4, fontWeight: 'bold' }, encoding: { x: { value: 0 }, y: { value: 0 }, text: { field: 'label' } } },
        { transform: only('slo'), mark: { type: 'rule', color: '#c00', strokeDash: [6, 4] }, encoding: { y } },
        { transform: only('slo'), mark: { type: 'text', color: '#c00', align: 'left', dx: 4, dy: -6 }, encoding: { x: { value: 0 }, y, text: { field: 'label' } } },
        { transform: only('p99'), mark: { type: 'rule', color: '#333333' }, encoding: { x, y: { ...y, field: 'whiskerLo' }, y2: { field: 'hi' } } },
        { transform: only('p99'), mark: { type: 'line', color: '#999999' }, encoding: { x, y } },
        {
          transform: only('p99'),
          mark: { type: 'point', filled: true, size: 70, opacity: 1, tooltip: true },
          encoding: {
            x,
            y,
            color: { field: 'verdict', type: 'nominal', title: 'probe', sort: seen, scale: scale('colour'), legend: { labelLimit: 0, orient: 'bottom', columns: 2 } },
            shape: { field: 'verdict', type: 'nominal', sort: seen, scale: scale('shape') },
          },
        },
      ],
    } as unknown as TopLevelSpec,
  };
}
