// Each pod's share of the requests that reached a pod, per sweep point: a bar at the mean over
// replications with its 95% CI as a whisker, one panel per point (pods differ between
// placements, so each panel has its own pod axis). Pure: rows in, Vega-Lite specs out.

import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResults, Row } from '../experiment/results.js';
import { meanCi } from '../experiment/summary.js';
import { type ChartSpec, HEADER, pointLabel, SCHEMA } from './chart-specs.js';

const POLICY = 'service.externalTrafficPolicy';

interface PodShare {
  readonly panel: string;
  readonly pod: string;
  readonly policy?: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly n: number;
}

/**
 * Per panel and pod (and policy, when given), the mean over runs of the pod's share of its run's
 * requests and the 95% CI of that mean, computed here as for every per-point chart.
 */
export function podShares(r: ExperimentResults, panelOf: (row: Row) => string, policyOf?: (row: Row) => string): PodShare[] {
  const totals = new Map<number, number>();
  for (const p of r.pods) totals.set(p.run as number, (totals.get(p.run as number) ?? 0) + (p.requests as number));
  const groups = new Map<string, { panel: string; pod: string; policy?: string; shares: number[] }>();
  for (const p of r.pods) {
    const panel = panelOf(p);
    const pod = `${p.pod} (${p.node})`;
    const policy = policyOf?.(p);
    const key = JSON.stringify([panel, policy, pod]);
    let group = groups.get(key);
    if (!group) {
      group = { panel, pod, ...(policy === undefined ? {} : { policy }), shares: [] };
      groups.set(key, group);
    }
    const total = totals.get(p.run as number) ?? 0;
    group.shares.push(total > 0 ? (p.requests as number) / total : 0);
  }
  return [...groups.values()].map(({ shares, ...where }) => {
    const m = meanCi(shares);
    const half = Number.isFinite(m.ci95HalfWidth) ? m.ci95HalfWidth : 0;
    return { ...where, mean: m.mean, lo: m.mean - half, hi: m.mean + half, n: m.n };
  });
}

/**
 * One layered view per panel, stacked. Not a facet: a facet of layers with independent y scales
 * makes Vega-Lite warn that it unions domains "from different source"; stacked views each own
 * their y scale without that, and share the x scale so bars compare across panels.
 */
function panels(title: string, values: readonly PodShare[], unit: Record<string, unknown>): TopLevelSpec {
  const order = [...new Set(values.map((v) => v.panel))];
  if (order.length === 1) return { $schema: SCHEMA, title, data: { values }, ...unit } as unknown as TopLevelSpec;
  return {
    $schema: SCHEMA,
    title,
    data: { values },
    vconcat: order.map((panel) => ({
      title: { text: panel, anchor: 'start', fontWeight: HEADER.labelFontWeight, fontSize: 11, limit: 0 },
      transform: [{ filter: { field: 'panel', equal: panel } }],
      ...unit,
    })),
    resolve: { scale: { x: 'shared' } },
  } as unknown as TopLevelSpec;
}

const x = { field: 'mean', type: 'quantitative', title: 'share of requests', axis: { format: '%' }, scale: { zero: true } };
const y = { field: 'pod', type: 'nominal', title: null, sort: null, axis: { labelLimit: 400 } };

/** Bars and whiskers share y (and yOffset); only the bars take the colour, so a whisker shows on its bar. */
function barsWithWhiskers(offset: Record<string, unknown>, colour: Record<string, unknown>): Record<string, unknown> {
  return {
    width: 320,
    encoding: { y, ...offset },
    layer: [
      { mark: { type: 'bar', tooltip: true }, encoding: { x, ...colour } },
      { mark: { type: 'rule', color: '#222' }, encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' } } },
    ],
  };
}

export function podLoadChart(r: ExperimentResults): ChartSpec {
  return {
    name: 'pod-load',
    spec: panels("Each pod's share of the requests that reached a pod (mean over replications, 95% CI)", podShares(r, (p) => pointLabel(r.params, p)), barsWithWhiskers({}, {})),
  };
}

/** Local sends each node's traffic to its own pods only, so placement shows up here. */
export function podLoadByPolicyChart(r: ExperimentResults): ChartSpec {
  const rest = r.params.filter((p) => p !== POLICY);
  const values = podShares(
    r,
    (p) => pointLabel(rest, p),
    (p) => String(p[POLICY]),
  );
  const policy = { field: 'policy', type: 'nominal' };
  return {
    name: 'pod-load-by-policy',
    spec: panels("Each pod's share of requests, Cluster vs Local (mean over replications, 95% CI)", values, barsWithWhiskers({ yOffset: policy }, { color: { ...policy, title: 'traffic policy' } })),
  };
}
