// Which charts a result gets, as Vega-Lite specs with their data inline (they open in any Vega
// editor). Pure: rows in, specs out.

import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResults, Row } from '../experiment/runner.js';

export interface ChartSpec {
  readonly name: string;
  readonly spec: TopLevelSpec;
}

const shortName = (path: string): string => path.split('.').pop() as string;

/** A label for a row's sweep point, e.g. `nodes=3 · mode=ipvs`. */
export function pointLabel(params: readonly string[], row: Row): string {
  return params.length === 0 ? 'all runs' : params.map((p) => `${shortName(p)}=${row[p]}`).join(' · ');
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function latencyChart(r: ExperimentResults): ChartSpec {
  const values = r.runs.flatMap((row) =>
    (
      [
        ['p50', row.latency_p50_ms],
        ['p90', row.latency_p90_ms],
        ['p99', row.latency_p99_ms],
      ] as const
    )
      .filter(([, v]) => finite(v))
      .map(([percentile, ms]) => ({ point: pointLabel(r.params, row), percentile, ms })),
  );
  return {
    name: 'latency-percentiles',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'End-to-end latency by sweep point (mean over replications)',
      data: { values },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'point', type: 'nominal', title: null, axis: { labelAngle: -30, labelLimit: 400 }, sort: null },
        xOffset: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'] },
        y: { aggregate: 'mean', field: 'ms', type: 'quantitative', title: 'latency (ms)' },
        color: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'] },
      },
      width: { step: 24 },
      height: 260,
    },
  };
}

function podLoadChart(r: ExperimentResults): ChartSpec {
  const totals = new Map<number, number>();
  for (const p of r.pods) totals.set(p.run as number, (totals.get(p.run as number) ?? 0) + (p.requests as number));
  const values = r.pods.map((p) => ({
    point: pointLabel(r.params, p),
    pod: `${p.pod} (${p.node})`,
    share: (totals.get(p.run as number) ?? 0) > 0 ? (p.requests as number) / (totals.get(p.run as number) as number) : 0,
  }));
  return {
    name: 'pod-load',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: "Each pod's share of the requests that reached a pod",
      data: { values },
      facet: { row: { field: 'point', type: 'nominal', title: null, sort: null } },
      spec: {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          y: { field: 'pod', type: 'nominal', title: null, sort: null },
          x: { aggregate: 'mean', field: 'share', type: 'quantitative', title: 'share of requests', axis: { format: '%' } },
        },
        width: 320,
      },
    },
  };
}

export function chartsFor(results: ExperimentResults): ChartSpec[] {
  return [latencyChart(results), podLoadChart(results)];
}
