// p99 against the offered rate, with 95% CI whiskers and each latency_p99_ms SLO of the
// experiment as a horizontal rule: where the line crosses it is the capacity.

import type { TopLevelSpec } from 'vega-lite';
import type { Assertion } from '../experiment/gates.js';
import type { ExperimentResults } from '../experiment/results.js';
import { groupByPoint, meanCi } from '../experiment/summary.js';
import { type ChartSpec, pointLabel, SCHEMA, scaleFor } from './chart-specs.js';

const RATE = 'traffic.ratePerS';

export interface RatePoint {
  readonly kind: 'p99';
  readonly rate: number;
  /** The other swept parameters' values. */
  readonly rest: string;
  readonly p99: number;
  readonly lo: number;
  readonly hi: number;
}

/** Per sweep point, its rate and the mean p99 over replications with its 95% CI. */
export function p99Points(r: ExperimentResults): RatePoint[] {
  const rest = r.params.filter((p) => p !== RATE);
  return groupByPoint(r.params, r.runs).flatMap((point) => {
    const m = meanCi(point.runs.map((row) => row.latency_p99_ms as number));
    if (!Number.isFinite(m.mean)) return [];
    const half = Number.isFinite(m.ci95HalfWidth) ? m.ci95HalfWidth : 0;
    return [{ kind: 'p99', rate: Number(point.params[RATE]), rest: pointLabel(rest, point.params), p99: m.mean, lo: m.mean - half, hi: m.mean + half }] as const;
  });
}

/** Each latency_p99_ms term as a rule's row. */
export const sloRules = (slos: readonly Assertion[]) =>
  slos.filter((s) => s.metric === 'latency_p99_ms').map((s) => ({ kind: 'slo', p99: s.threshold, label: `SLO p99 ${s.op} ${s.threshold} ms` }));

export function p99ByRateChart(r: ExperimentResults, slos: readonly Assertion[]): ChartSpec {
  const rest = r.params.filter((p) => p !== RATE);
  const points = p99Points(r);
  const rules = sloRules(slos);
  const y = { field: 'p99', type: 'quantitative', title: 'p99 latency of successful requests (ms)', scale: scaleFor([...points.map((p) => p.lo), ...points.map((p) => p.hi), ...rules.map((x) => x.p99)]) };
  const x = { field: 'rate', type: 'quantitative', title: 'offered rate (requests/s)' };
  const colour = rest.length > 0 ? { color: { field: 'rest', type: 'nominal', title: null, sort: null, legend: { labelLimit: 0, orient: 'bottom' } } } : {};
  const only = (kind: string) => [{ filter: { field: 'kind', equal: kind } }];
  return {
    name: 'p99-by-rate',
    spec: {
      $schema: SCHEMA,
      title: 'p99 latency against the offered rate (mean over replications, 95% CI), with the SLO',
      data: { values: [...points, ...rules] },
      width: 480,
      height: 280,
      layer: [
        { transform: only('p99'), mark: { type: 'line', point: true, tooltip: true }, encoding: { x, y, ...colour } },
        { transform: only('p99'), mark: { type: 'rule' }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, ...colour } },
        { transform: only('slo'), mark: { type: 'rule', color: '#c00', strokeDash: [6, 4] }, encoding: { y } },
        { transform: only('slo'), mark: { type: 'text', color: '#c00', align: 'left', dx: 4, dy: -6 }, encoding: { x: { value: 0 }, y, text: { field: 'label' } } },
      ],
    } as unknown as TopLevelSpec,
  };
}
