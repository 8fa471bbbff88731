// Runs a plan: each run resolved, simulated and flattened into tidy rows. Clusters are built
// once per distinct cluster setting, since sweeps of traffic or mode share them.

import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { InputError } from '../input/problems.js';
import { RUN_METRIC_COLUMNS, type RunMetrics } from '../metrics/run-metrics.js';
import { type SimObserver, simulate } from '../sim/simulate.js';
import { checkPoint, type PlannedRun, planRuns } from './plan.js';
import { firewallWarnings, targetWarnings } from './preflight.js';
import { type ResolvedCluster, resolveCluster, simConfigFor } from './resolve.js';
import type { Experiment } from './schema.js';
import type { Cell, ExperimentResults, Row } from './results.js';
import { inShard, type Shard } from './shard.js';

export interface RunProgress {
  readonly done: number;
  readonly total: number;
  readonly run: PlannedRun;
  readonly metrics: RunMetrics;
}

export interface RunnerOptions {
  readonly file?: string;
  /** Called once before the first run with the number of runs to do. */
  readonly onStart?: (total: number) => void;
  readonly onRunDone?: (p: RunProgress) => void;
  /** Run only this shard's runs (`run % count == index`). */
  readonly shard?: Shard;
  /** Called, before any run on it, with what `diagnose` finds wrong in each distinct cluster's target. */
  readonly onWarnings?: (lines: readonly string[]) => void;
  /** An observer for one run's requests (a trace). */
  readonly observerFor?: (run: PlannedRun) => SimObserver;
  /** Run only these runs (of the shard's, if one is given): a child process's share of `--jobs`. */
  readonly runs?: ReadonlySet<number>;
  /** Called now and then inside a run with the share of its simulated time done. */
  readonly onRunProgress?: (run: PlannedRun, fraction: number) => void;
  /** Clusters built by earlier calls, by cluster setting; kept across the calls of one child process. */
  readonly clusters?: Map<string, ResolvedCluster>;
}

/**
 * The part of the run a time bucket starting at `tS` belongs to: warm-up (not measured), the
 * measured window, or the drain after it, when requests already sent finish and none are sent.
 */
export function phaseAt(tS: number, warmupS: number, durationS: number): 'warmup' | 'measured' | 'drain' {
  return tS < warmupS ? 'warmup' : tS < warmupS + durationS ? 'measured' : 'drain';
}

/** The runs an experiment (or its shard) consists of, after the checks that need whole points. */
export function selectRuns(experiment: Experiment, options: Pick<RunnerOptions, 'file' | 'shard'> = {}): PlannedRun[] {
  const fullPlan = planRuns(experiment);
  const seenPoints = new Set<number>();
  const issues = fullPlan.flatMap((r) => (seenPoints.has(r.point.index) ? [] : (seenPoints.add(r.point.index), checkPoint(r.point, options.file))));
  if (issues.length > 0) throw new InputError(issues);
  return fullPlan.filter((r) => inShard(options.shard, r.run));
}

/** Simulated seconds of a run (warm-up included): the measure of work that progress and ETA use. */
export const simulatedSeconds = (run: PlannedRun): number => run.point.experiment.warmupS + run.point.experiment.durationS;

/** The run's cluster, built once per distinct cluster setting (`built` is told of each new one). */
function clusterOf(e: Experiment, docs: readonly ManifestDoc[], clusters: Map<string, ResolvedCluster>, built: (r: ResolvedCluster) => void): ResolvedCluster {
  const key = JSON.stringify([e.cluster, e.service, e.traffic.ingress, e.traffic.via]);
  // Cached per distinct cluster: background tables of 100k services are built once.
  let resolved = clusters.get(key);
  if (!resolved) {
    resolved = resolveCluster(e, docs);
    clusters.set(key, resolved);
    built(resolved);
  }
  return resolved;
}

/** One run's rows of pods.csv, nodes.csv and timeseries.csv, each led by the run's `key` cells. */
function appendRows(tables: { pods: Row[]; nodes: Row[]; timeseries: Row[] }, result: ReturnType<typeof simulate>, key: Row, e: Experiment): void {
  for (const p of result.pods) {
    tables.pods.push({
      ...key,
      pod: p.pod,
      node: p.node,
      requests: p.requests,
      mean_in_system: p.meanInSystem,
      throughput_per_s: p.throughputPerS,
      mean_time_in_system_ms: p.meanTimeInSystemMs,
    });
  }
  for (const n of result.nodes) {
    tables.nodes.push({
      ...key,
      node: n.node,
      zone: n.zone,
      ingress_requests: n.ingressRequests,
      cpu_util: n.cpuUtil,
      syncs: n.syncs,
      sync_lag_max_ms: n.syncLagMaxMs,
      conntrack_peak: n.conntrackPeak,
      conntrack_early_drops: n.conntrackEarlyDrops,
      conntrack_insert_failures: n.conntrackInsertFailures,
    });
  }
  for (const t of result.timeseries) tables.timeseries.push({ ...key, t_s: t.tS, phase: phaseAt(t.tS, e.warmupS, e.durationS), series: t.series, pod: t.pod, value: t.value });
}

const cell = (v: unknown): Cell => (typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v));

export function runExperiment(experiment: Experiment, docs: readonly ManifestDoc[], options: RunnerOptions = {}): ExperimentResults {
  const selected = selectRuns(experiment, options);
  const only = options.runs;
  const plan = only === undefined ? selected : selected.filter((r) => only.has(r.run));

  const params = Object.keys(experiment.sweep);
  const clusters = options.clusters ?? new Map<string, ResolvedCluster>();
  const notes = new Set<string>();
  const warned = new Set<string>();
  const runs: Row[] = [];
  const pods: Row[] = [];
  const nodes: Row[] = [];
  const timeseries: Row[] = [];
  // Each warning is printed once, however many runs share its cause.
  const warn = (found: readonly string[]): void => {
    const lines = found.filter((w) => !warned.has(w));
    for (const w of lines) warned.add(w);
    if (lines.length > 0) options.onWarnings?.(lines);
  };
  options.onStart?.(plan.length);
  let done = 0;
  for (const planned of plan) {
    const e = planned.point.experiment;
    const resolved = clusterOf(e, docs, clusters, (r) => {
      if (options.onWarnings) warn(targetWarnings(r));
    });
    if (options.onWarnings) warn(firewallWarnings(e, resolved));
    // Every run adds its cluster's notes, so results of runs done apart join to the same notes.
    for (const n of resolved.notes) notes.add(n);
    const onRunProgress = options.onRunProgress;
    const observer = { ...(options.observerFor?.(planned) ?? {}), ...(onRunProgress === undefined ? {} : { onProgress: (fraction: number) => onRunProgress(planned, fraction) }) };
    const result = simulate(simConfigFor(e, resolved, planned.replication), observer);
    const id = { experiment: experiment.name, run: planned.run, replication: planned.replication, seed: planned.seed };
    // Every table carries the run's replication and seed, so any row can be joined or re-run alone.
    const of = { run: planned.run, replication: planned.replication, seed: planned.seed };
    const swept = Object.fromEntries(params.map((p) => [p, cell(planned.point.params[p])]));
    runs.push({ ...id, ...swept, ...result.metrics });
    appendRows({ pods, nodes, timeseries }, result, { ...of, ...swept }, e);
    options.onRunDone?.({ done: ++done, total: plan.length, run: planned, metrics: result.metrics });
  }
  return {
    params,
    runColumns: ['experiment', 'run', 'replication', 'seed', ...params, ...RUN_METRIC_COLUMNS],
    runs,
    podColumns: ['run', 'replication', 'seed', ...params, 'pod', 'node', 'requests', 'mean_in_system', 'throughput_per_s', 'mean_time_in_system_ms'],
    pods,
    nodeColumns: ['run', 'replication', 'seed', ...params, 'node', 'zone', 'ingress_requests', 'cpu_util', 'syncs', 'sync_lag_max_ms', 'conntrack_peak', 'conntrack_early_drops', 'conntrack_insert_failures'],
    nodes,
    timeseriesColumns: ['run', 'replication', 'seed', ...params, 't_s', 'phase', 'series', 'pod', 'value'],
    timeseries,
    notes: [...notes],
  };
}
