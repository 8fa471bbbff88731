// Which charts a result gets, chosen by what was swept, as Vega-Lite specs with their data
// inline (they open in any Vega editor). Pure: rows in, specs out.

import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResults, Row } from '../experiment/results.js';
import { groupByPoint, meanCi } from '../experiment/summary.js';
import type { CapacityResult } from '../experiment/capacity.js';
import type { Assertion } from '../experiment/gates.js';
import { outcomesChart, type Timing, timelineChart } from './chart-outcomes.js';
import { capacityChart } from './chart-capacity.js';
import { podLoadByPolicyChart, podLoadChart } from './chart-pod-load.js';
import { p99ByRateChart } from './chart-rate.js';

export interface ChartSpec {
  readonly name: string;
  readonly spec: TopLevelSpec;
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const POLICY = 'service.externalTrafficPolicy';
const MODE = 'proxy.mode';
const BACKGROUND = 'cluster.backgroundServices';
const RATE = 'traffic.ratePerS';

const shortName = (path: string): string => path.split('.').pop() as string;

/** A label for a row's sweep point, e.g. `nodes=3 · mode=ipvs`. */
export function pointLabel(params: readonly string[], row: Row): string {
  return params.length === 0 ? 'all runs' : params.map((p) => `${shortName(p)}=${row[p]}`).join(' · ');
}

/** Facet labels above each panel, horizontal and whole (a row header is otherwise turned 90° and cut). */
export const HEADER = { labelAngle: 0, labelAlign: 'left', labelAnchor: 'start', labelOrient: 'top', labelLimit: 0, labelFontWeight: 'bold' } as const;

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Wraps a unit spec in a row facet over the other swept parameters, when there are any. Each
 * row keeps its own y scale, since pods differ between placements.
 */
function facetByRest(title: string, values: readonly Record<string, unknown>[], rest: readonly string[], unit: Record<string, unknown>): TopLevelSpec {
  if (rest.length === 0) return { $schema: SCHEMA, title, data: { values }, ...unit } as unknown as TopLevelSpec;
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    facet: { row: { field: 'rest', type: 'nominal', title: null, sort: [...new Set(values.map((v) => v.rest as string))], header: HEADER } },
    spec: unit,
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

/** Per sweep point and series, the mean over replications and its 95% CI, computed here (Vega-Lite's own `ci` extent bootstraps at random). */
export function pointStats(r: ExperimentResults, series: readonly (readonly [string, string])[]): Record<string, unknown>[] {
  return groupByPoint(r.params, r.runs).flatMap((point) =>
    series.flatMap(([label, metric]) => {
      const m = meanCi(point.runs.map((row) => row[metric] as number));
      if (!Number.isFinite(m.mean)) return [];
      const half = Number.isFinite(m.ci95HalfWidth) ? m.ci95HalfWidth : 0;
      return [{ point: pointLabel(r.params, point.params), series: label, mean: m.mean, lo: m.mean - half, hi: m.mean + half, n: m.n }];
    }),
  );
}

/** A log axis when positive values span more than two decades (1 vs 9 vs 20,000 rules), else linear from zero. */
export function scaleFor(values: readonly number[]): Record<string, unknown> {
  const positive = values.filter((v) => v > 0);
  if (positive.length === values.length && positive.length > 0 && Math.max(...positive) / Math.min(...positive) > 100) return { type: 'log' };
  return { zero: true };
}

/** Points with 95% CI whiskers, one row per sweep point (labels horizontal, never truncated), a colour per series. */
function pointsWithCi(title: string, xTitle: string, values: readonly Record<string, unknown>[], order: readonly string[]): TopLevelSpec {
  const x = { field: 'mean', type: 'quantitative', title: xTitle, scale: scaleFor([...values.map((v) => v.lo as number), ...values.map((v) => v.hi as number)]) };
  const y = { field: 'point', type: 'nominal', title: null, sort: null, axis: { labelLimit: 0 } };
  const yOffset = { field: 'series', type: 'nominal', sort: order };
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    width: 480,
    encoding: { y, yOffset },
    layer: [
      { mark: { type: 'rule' }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, color: { field: 'series', type: 'nominal', sort: order, title: null, legend: { labelLimit: 0 } } } },
      { mark: { type: 'point', filled: true, tooltip: true }, encoding: { x, color: { field: 'series', type: 'nominal', sort: order, title: null } } },
    ],
  } as unknown as TopLevelSpec;
}

function latencyChart(r: ExperimentResults): ChartSpec {
  const series = [
    ['p50', 'latency_p50_ms'],
    ['p90', 'latency_p90_ms'],
    ['p99', 'latency_p99_ms'],
  ] as const;
  return {
    name: 'latency-percentiles',
    spec: pointsWithCi('Latency of the successful requests by sweep point (mean over replications, 95% CI)', 'latency (ms)', pointStats(r, series), ['p50', 'p90', 'p99']),
  };
}

/** iptables walks every service rule before KUBE-NODEPORTS, so its p99 should grow with them. */
function p99ByBackgroundChart(r: ExperimentResults): ChartSpec {
  const rest = r.params.filter((p) => p !== MODE && p !== BACKGROUND);
  const values = r.runs
    .filter((row) => finite(row.latency_p99_ms))
    .map((row) => ({ services: Number(row[BACKGROUND]), mode: row[MODE], rest: pointLabel(rest, row), p99: row.latency_p99_ms }));
  // A log axis cannot show 0 background services; symlog keeps the same shape and shows 0.
  const scale = values.every((v) => v.services > 0) ? { type: 'log' } : { type: 'symlog' };
  const unit = {
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'services', type: 'quantitative', title: 'background services', scale },
      y: { aggregate: 'mean', field: 'p99', type: 'quantitative', title: 'p99 latency (ms, mean over replications)' },
      color: { field: 'mode', type: 'nominal', title: 'proxy mode' },
    },
    width: 420,
    height: 260,
  };
  return { name: 'p99-by-background-services', spec: facetByRest('p99 latency against the number of Services, by proxy mode', values, rest, unit) };
}

function hopsChart(r: ExperimentResults): ChartSpec {
  const series = [
    ['hops per request', 'hops_mean'],
    ['cross-node share', 'cross_node_share'],
  ] as const;
  const values = pointStats(r, series);
  const unit = (label: string) => {
    const spec = pointsWithCi(label, label, values.filter((v) => v.series === label), [label]) as unknown as Record<string, unknown>;
    const { $schema: _, ...rest } = spec;
    return { ...rest, width: 300 };
  };
  return {
    name: 'hops',
    spec: {
      $schema: SCHEMA,
      title: 'Network hops per request and share of requests sent on to another node (95% CI)',
      hconcat: [unit('hops per request'), unit('cross-node share')],
    } as unknown as TopLevelSpec,
  };
}

function rulesWalkedChart(r: ExperimentResults): ChartSpec {
  return {
    name: 'rules-walked',
    spec: pointsWithCi('Rules a new connection walks, by sweep point (mean over replications, 95% CI)', 'rules walked per new connection', pointStats(r, [['rules walked', 'rules_walked_mean']]), ['rules walked']),
  };
}

/**
 * The charts that fit the sweep: outcomes first, the general ones always, the others when their
 * parameters vary. A capacity search's result marks its probes and answer on p99 against the rate.
 */
export function chartsFor(results: ExperimentResults, timing?: Timing, slos: readonly Assertion[] = [], capacity?: CapacityResult): ChartSpec[] {
  const swept = (p: string) => results.params.includes(p);
  return [
    outcomesChart(results),
    ...(timing !== undefined && results.timeseries.length > 0 ? [timelineChart(results, timing)] : []),
    ...(swept(RATE) ? [capacity ? capacityChart(results, slos, capacity) : p99ByRateChart(results, slos)] : []),
    latencyChart(results),
    podLoadChart(results),
    ...(swept(POLICY) ? [podLoadByPolicyChart(results)] : []),
    ...(swept(BACKGROUND) && swept(MODE) ? [p99ByBackgroundChart(results)] : []),
    hopsChart(results),
    ...(swept(MODE) ? [rulesWalkedChart(results)] : []),
  ];
}
