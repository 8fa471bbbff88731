// summary.csv's rows: per sweep point × metric, the mean over replications and the half-width
// of its 95% confidence interval (Student t, n − 1 degrees of freedom).

import { RUN_METRIC_COLUMNS } from '../metrics/run-metrics.js';
import type { ExperimentResults, Row } from './results.js';
import { studentTQuantile } from './student-t.js';

export interface MeanCi {
  readonly mean: number;
  /** NaN when fewer than two values: one replication says nothing about its spread. */
  readonly ci95HalfWidth: number;
  readonly n: number;
}

/** Mean and 95% CI half-width of the finite values (an undefined metric, NaN, is left out). */
export function meanCi(values: readonly number[]): MeanCi {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, ci95HalfWidth: Number.NaN, n };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, ci95HalfWidth: Number.NaN, n };
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, ci95HalfWidth: studentTQuantile(0.975, n - 1) * Math.sqrt(variance / n), n };
}

export interface PointRuns {
  /** The swept values at this point, keyed by dotted path. */
  readonly params: Row;
  readonly runs: readonly Row[];
}

/** Runs grouped by sweep point, points in the order their first run appears (the plan's order). */
export function groupByPoint(params: readonly string[], runs: readonly Row[]): PointRuns[] {
  const groups = new Map<string, { params: Row; runs: Row[] }>();
  for (const row of runs) {
    const key = JSON.stringify(params.map((p) => row[p]));
    let group = groups.get(key);
    if (!group) {
      group = { params: Object.fromEntries(params.map((p) => [p, row[p]])), runs: [] };
      groups.set(key, group);
    }
    group.runs.push(row);
  }
  return [...groups.values()];
}

export const summaryColumns = (params: readonly string[]): string[] => ['seed', ...params, 'metric', 'mean', 'ci95_half_width', 'n'];

export function summarize(results: Pick<ExperimentResults, 'params' | 'runs'>): Row[] {
  return groupByPoint(results.params, results.runs).flatMap((point) =>
    RUN_METRIC_COLUMNS.map((metric) => {
      const s = meanCi(point.runs.map((r) => r[metric] as number));
      // Every run of a point shares the experiment's seed; replications differ by their index.
      return { seed: point.runs[0].seed, ...point.params, metric, mean: s.mean, ci95_half_width: s.ci95HalfWidth, n: s.n };
    }),
  );
}
