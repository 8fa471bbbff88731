// From a validated experiment to the list of runs: the sweep's cross product × replications,
// each run carrying its own parameters and seed so any row of runs.csv can be re-run alone.

import type { InputIssue } from '../input/problems.js';
import type { Experiment } from './schema.js';
import { checkTrafficSource } from './traffic-sources.js';

export interface SweepPoint {
  readonly index: number;
  /** The swept dotted paths and their values at this point, in the sweep's key order. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly experiment: Experiment;
}

export interface PlannedRun {
  /** 0-based position in the plan; the `run` column. */
  readonly run: number;
  readonly point: SweepPoint;
  readonly replication: number;
  readonly seed: number;
}

/** A copy of `obj` with the value at a dotted path replaced. */
export function setPath<T>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  const source = (obj ?? {}) as Record<string, unknown>;
  return { ...source, [head]: rest.length === 0 ? value : setPath(source[head], rest.join('.'), value) } as T;
}

export function sweepPoints(experiment: Experiment): SweepPoint[] {
  const entries = Object.entries(experiment.sweep);
  let combos: Record<string, unknown>[] = [{}];
  // The last key varies fastest, as nested loops written in the file's order would.
  for (const [path, values] of entries) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [path]: v })));
  return combos.map((params, index) => ({
    index,
    params,
    experiment: Object.entries(params).reduce<Experiment>((e, [path, v]) => setPath(e, path, v), experiment),
  }));
}

/** Checks that need a whole point (placement against node count). */
export function checkPoint(point: SweepPoint, file?: string): InputIssue[] {
  const { nodes, placement } = point.experiment.cluster;
  const count = typeof nodes === 'number' ? nodes : nodes.length;
  if (Array.isArray(placement) && placement.length !== count) {
    const where = Object.keys(point.params).length > 0 ? ` at sweep point ${JSON.stringify(point.params)}` : '';
    return [{ file, path: 'cluster.placement', message: `got ${placement.length} pod counts, expected one per node (${count})${where}` }];
  }
  return checkTrafficSource(point.experiment, point.params, file);
}

export function planRuns(experiment: Experiment): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const point of sweepPoints(experiment)) {
    for (let replication = 0; replication < experiment.replications; replication++) {
      runs.push({ run: runs.length, point, replication, seed: experiment.seed });
    }
  }
  return runs;
}
