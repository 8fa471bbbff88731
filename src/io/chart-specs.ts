// Which charts a result gets, chosen by what was swept, as Vega-Lite specs with their data
// inline (they open in any Vega editor). Pure: rows in, specs out.

import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResults, Row } from '../experiment/results.js';

export interface ChartSpec {
  readonly name: string;
  readonly spec: TopLevelSpec;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const POLICY = 'service.externalTrafficPolicy';
const MODE = 'proxy.mode';
const BACKGROUND = 'cluster.backgroundServices';

const shortName = (path: string): string => path.split('.').pop() as string;

/** A label for a row's sweep point, e.g. `nodes=3 · mode=ipvs`. */
export function pointLabel(params: readonly string[], row: Row): string {
  return params.length === 0 ? 'all runs' : params.map((p) => `${shortName(p)}=${row[p]}`).join(' · ');
}

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
    facet: { row: { field: 'rest', type: 'nominal', title: null, sort: null } },
    spec: unit,
    resolve: { scale: { y: 'independent' } },
  } as unknown as TopLevelSpec;
}

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
      $schema: SCHEMA,
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

/** Each pod's share of the requests of its run, labelled by sweep point. */
function podShares(r: ExperimentResults, label: (row: Row) => Record<string, unknown>): Record<string, unknown>[] {
  const totals = new Map<number, number>();
  for (const p of r.pods) totals.set(p.run as number, (totals.get(p.run as number) ?? 0) + (p.requests as number));
  return r.pods.map((p) => {
    const total = totals.get(p.run as number) ?? 0;
    return { ...label(p), pod: `${p.pod} (${p.node})`, share: total > 0 ? (p.requests as number) / total : 0 };
  });
}

const shareBars = {
  mark: { type: 'bar', tooltip: true },
  encoding: {
    y: { field: 'pod', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } },
    x: { aggregate: 'mean', field: 'share', type: 'quantitative', title: 'share of requests', axis: { format: '%' } },
  },
  width: 320,
};

function podLoadChart(r: ExperimentResults): ChartSpec {
  return {
    name: 'pod-load',
    spec: {
      $schema: SCHEMA,
      title: "Each pod's share of the requests that reached a pod",
      data: { values: podShares(r, (p) => ({ point: pointLabel(r.params, p) })) },
      facet: { row: { field: 'point', type: 'nominal', title: null, sort: null } },
      spec: shareBars,
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

/** Local sends each node's traffic to its own pods only, so placement shows up here. */
function podLoadByPolicyChart(r: ExperimentResults): ChartSpec {
  const rest = r.params.filter((p) => p !== POLICY);
  const values = podShares(r, (p) => ({ policy: p[POLICY], rest: pointLabel(rest, p) }));
  const unit = {
    ...shareBars,
    encoding: { ...shareBars.encoding, color: { field: 'policy', type: 'nominal', title: 'traffic policy' }, yOffset: { field: 'policy', type: 'nominal' } },
  };
  return { name: 'pod-load-by-policy', spec: facetByRest("Each pod's share of requests, Cluster vs Local", values, rest, unit) };
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
  const values = r.runs.flatMap((row) =>
    (
      [
        ['hops per request', row.hops_mean],
        ['cross-node share', row.cross_node_share],
      ] as const
    )
      .filter(([, v]) => finite(v))
      .map(([metric, value]) => ({ point: pointLabel(r.params, row), metric, value })),
  );
  return {
    name: 'hops',
    spec: {
      $schema: SCHEMA,
      title: 'Network hops per request and share of requests sent on to another node',
      data: { values },
      facet: { column: { field: 'metric', type: 'nominal', title: null, sort: ['hops per request', 'cross-node share'] } },
      spec: {
        mark: { type: 'bar', tooltip: true },
        encoding: {
          x: { field: 'point', type: 'nominal', title: null, axis: { labelAngle: -30, labelLimit: 400 }, sort: null },
          y: { aggregate: 'mean', field: 'value', type: 'quantitative', title: 'mean over replications' },
        },
        width: { step: 28 },
        height: 220,
      },
      resolve: { scale: { y: 'independent' } },
    } as TopLevelSpec,
  };
}

function rulesWalkedChart(r: ExperimentResults): ChartSpec {
  const rest = r.params.filter((p) => p !== MODE);
  const values = r.runs
    .filter((row) => finite(row.rules_walked_mean))
    .map((row) => ({ mode: row[MODE], rest: pointLabel(rest, row), rules: row.rules_walked_mean }));
  const encoding: Record<string, unknown> = {
    x: { field: 'mode', type: 'nominal', title: 'proxy mode', sort: null },
    y: { aggregate: 'mean', field: 'rules', type: 'quantitative', title: 'rules walked per new connection' },
  };
  if (rest.length > 0) {
    encoding.xOffset = { field: 'rest', type: 'nominal', sort: null };
    encoding.color = { field: 'rest', type: 'nominal', title: null, sort: null };
  }
  return {
    name: 'rules-walked',
    spec: {
      $schema: SCHEMA,
      title: 'Rules a new connection walks, by proxy mode',
      data: { values },
      mark: { type: 'bar', tooltip: true },
      encoding,
      width: { step: 28 },
      height: 240,
    } as TopLevelSpec,
  };
}

/** The charts that fit the sweep: the general ones always, the others when their parameters vary. */
export function chartsFor(results: ExperimentResults): ChartSpec[] {
  const swept = (p: string) => results.params.includes(p);
  return [
    latencyChart(results),
    podLoadChart(results),
    ...(swept(POLICY) ? [podLoadByPolicyChart(results)] : []),
    ...(swept(BACKGROUND) && swept(MODE) ? [p99ByBackgroundChart(results)] : []),
    hopsChart(results),
    ...(swept(MODE) ? [rulesWalkedChart(results)] : []),
  ];
}
