// The charts that show failures first: how each sweep point's requests ended (stacked shares of
// ok and each failure), and over time, per point, with warm-up and drain shaded and each
// scheduled cluster event marked. Pure: rows in, Vega-Lite specs out.

import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResults, Row } from '../experiment/results.js';
import { groupByPoint } from '../experiment/summary.js';
import type { ClusterEvent } from '../sim/changes.js';
import { OUTCOMES } from '../metrics/outcome.js';
import { type ChartSpec, HEADER, pointLabel, SCHEMA } from './chart-specs.js';

/** Outcomes with a non-zero count in some run, in OUTCOMES order (ok always). */
export function outcomesSeen(runs: readonly Row[]): string[] {
  return OUTCOMES.filter((o) => o === 'ok' || runs.some((r) => (r[o] as number) > 0));
}

// One colour per outcome, fixed, so a colour means the same failure in every chart: ok green,
// failures in warm to dark tones (ColorBrewer Set1 / Dark2).
const OUTCOME_COLOURS: Readonly<Record<(typeof OUTCOMES)[number], string>> = {
  ok: '#4daf4a',
  dropped_no_local_endpoint: '#e41a1c',
  rejected_no_endpoints: '#984ea3',
  failed_stale_endpoint: '#ff7f00',
  queue_full: '#a65628',
  conntrack_full: '#f781bf',
  timeout: '#377eb8',
  refused_no_listener: '#666666',
  blocked_by_firewall: '#1b9e77',
  dropped_source_range: '#d95f02',
};

const colour = (outcomes: readonly string[]) => ({
  field: 'outcome',
  type: 'nominal',
  title: 'outcome',
  sort: outcomes,
  scale: { domain: outcomes, range: outcomes.map((o) => OUTCOME_COLOURS[o as keyof typeof OUTCOME_COLOURS]) },
  legend: { labelLimit: 0, orient: 'bottom', columns: 2 },
});

/** Per sweep point, each outcome's share of the measured requests (mean over replications), stacked to 100%. */
export function outcomesChart(r: ExperimentResults): ChartSpec {
  const outcomes = outcomesSeen(r.runs);
  // Means computed here: Vega-Lite stacks only summable aggregates without a warning.
  const values = groupByPoint(r.params, r.runs).flatMap((point) => {
    const runs = point.runs.filter((row) => (row.requests as number) > 0);
    return outcomes.map((outcome, order) => ({
      point: pointLabel(r.params, point.params),
      outcome,
      order,
      share: runs.reduce((sum, row) => sum + (row[outcome] as number) / (row.requests as number), 0) / runs.length,
    }));
  });
  return {
    name: 'outcomes',
    spec: {
      $schema: SCHEMA,
      title: 'How the measured requests ended, by sweep point (share, mean over replications)',
      data: { values },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'point', type: 'nominal', title: null, sort: null, axis: { labelLimit: 0 } },
        x: { field: 'share', type: 'quantitative', title: 'share of requests', axis: { format: '%' }, stack: 'zero', scale: { domain: [0, 1] } },
        color: colour(outcomes),
        order: { field: 'order' },
      },
      width: 480,
    } as TopLevelSpec,
  };
}

const EVENT_WORDS: Readonly<Record<ClusterEvent['action'], string>> = {
  'kill-pod': 'kill',
  'delete-pod': 'delete',
  scale: 'scale',
  'rolling-restart': 'rolling restart',
  'fail-node': 'node failure',
  'withdraw-node': 'node withdrawn',
  'flap-readiness': 'readiness flaps',
};

const eventLabel = (e: ClusterEvent): string => {
  switch (e.action) {
    case 'kill-pod':
    case 'delete-pod':
    case 'flap-readiness':
      return `${EVENT_WORDS[e.action]} ${e.pod}`;
    case 'scale':
      return `scale ${e.deployment} to ${e.replicas}`;
    case 'rolling-restart':
      return `rolling restart ${e.deployment}`;
    case 'fail-node':
    case 'withdraw-node':
      return `${EVENT_WORDS[e.action]} ${e.node}`;
  }
};

export interface Timing {
  readonly warmupS: number;
  readonly durationS: number;
  readonly events: readonly ClusterEvent[];
}

/**
 * Requests per second by outcome over the run (mean over replications), one panel per sweep
 * point: warm-up and drain shaded, each scheduled event a labelled rule.
 */
export function timelineChart(r: ExperimentResults, timing: Timing): ChartSpec {
  const outcomes = outcomesSeen(r.runs);
  // Bucket width: the step between the first two bucket starts (one bucket: the run's length).
  const starts = [...new Set(r.timeseries.map((t) => t.t_s as number))].sort((a, b) => a - b);
  const widthS = starts.length > 1 ? starts[1] - starts[0] : timing.warmupS + timing.durationS;
  const rates = r.timeseries
    .filter((t) => (t.series === 'throughput_per_s' || outcomes.includes(t.series as string)) && t.series !== 'ok')
    .map((t) => ({
      kind: 'rate',
      point: pointLabel(r.params, t),
      t: t.t_s,
      outcome: t.series === 'throughput_per_s' ? 'ok' : t.series,
      perS: t.series === 'throughput_per_s' ? t.value : (t.value as number) / widthS,
    }));
  const points = [...new Set(rates.map((v) => v.point))];
  const end = starts.length > 0 ? starts[starts.length - 1] + widthS : timing.warmupS + timing.durationS;
  const measuredEnd = timing.warmupS + timing.durationS;
  const shades = points.flatMap((point) => [
    ...(timing.warmupS > 0 ? [{ kind: 'phase', point, from: 0, to: timing.warmupS, phase: 'warm-up' }] : []),
    ...(end > measuredEnd ? [{ kind: 'phase', point, from: measuredEnd, to: end, phase: 'drain' }] : []),
  ]);
  const marks = points.flatMap((point) => timing.events.map((e) => ({ kind: 'event', point, t: e.atS, label: eventLabel(e) })));
  const only = (kind: string) => ({ filter: { field: 'kind', equal: kind } });
  return {
    name: 'timeline',
    spec: {
      $schema: SCHEMA,
      title: 'Requests per second by outcome over the run (mean over replications); warm-up and drain shaded, events marked',
      data: { values: [...shades, ...rates, ...marks] },
      facet: { row: { field: 'point', type: 'nominal', title: null, sort: points, header: HEADER } },
      spec: {
        width: 560,
        height: 160,
        layer: [
          { transform: [only('phase')], mark: { type: 'rect', color: '#eeeeee' }, encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } } },
          {
            transform: [only('rate')],
            mark: { type: 'line', interpolate: 'step-after', tooltip: true },
            encoding: {
              x: { field: 't', type: 'quantitative', title: 'simulated time (s)' },
              y: { aggregate: 'mean', field: 'perS', type: 'quantitative', title: 'requests/s' },
              color: colour(outcomes),
            },
          },
          { transform: [only('event')], mark: { type: 'rule', strokeDash: [4, 3], color: '#333' }, encoding: { x: { field: 't', type: 'quantitative' } } },
          {
            transform: [only('event')],
            mark: { type: 'text', align: 'left', baseline: 'top', dx: 3, dy: 2, fontSize: 10 },
            encoding: { x: { field: 't', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
          },
        ],
      },
    } as unknown as TopLevelSpec,
  };
}
