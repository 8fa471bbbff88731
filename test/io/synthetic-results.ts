// Hand-made ExperimentResults for testing what is derived from rows, without simulating.

import type { ExperimentResults, Row } from '../../src/experiment/results.js';
import { RUN_METRIC_COLUMNS } from '../../src/metrics/run-metrics.js';

/** One row per (point, replication); `metric(point, replication)` fills every metric column. */
export function syntheticResults(
  sweep: Record<string, readonly (string | number)[]>,
  replications: number,
  metric: (point: Row, replication: number) => Partial<Record<string, number>>,
): ExperimentResults {
  const params = Object.keys(sweep);
  let points: Row[] = [{}];
  for (const p of params) points = points.flatMap((q) => sweep[p].map((v) => ({ ...q, [p]: v })));
  const runs: Row[] = [];
  const pods: Row[] = [];
  for (const point of points) {
    for (let r = 0; r < replications; r++) {
      const run = runs.length;
      const metrics = Object.fromEntries(RUN_METRIC_COLUMNS.map((c) => [c, 1]));
      runs.push({ experiment: 'synthetic', run, replication: r, seed: 1, ...point, ...metrics, ...metric(point, r) });
      pods.push({ run, ...point, pod: 'web-0', node: 'node-1', requests: 30 }, { run, ...point, pod: 'web-1', node: 'node-2', requests: 10 });
    }
  }
  return {
    params,
    runColumns: ['experiment', 'run', 'replication', 'seed', ...params, ...RUN_METRIC_COLUMNS],
    runs,
    podColumns: ['run', ...params, 'pod', 'node', 'requests'],
    pods,
    nodeColumns: ['run', ...params, 'node', 'zone', 'ingress_requests', 'cpu_util'],
    nodes: [],
    timeseriesColumns: ['run', ...params, 't_s', 'phase', 'series', 'pod', 'value'],
    timeseries: [],
    notes: [],
  };
}
