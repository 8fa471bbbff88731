// What a run will cost, estimated from the resolved experiment before anything is simulated, and
// the refusal of what cannot finish within the limits (which the user can raise). A key such as
// `durationS: 1e308` or `timeseriesBucketS: 1e-9` is valid on its face but would hang or exhaust
// memory; here it becomes exit 2 with the estimate and the key to change.

import { InputError, type InputIssue } from '../input/problems.js';
import type { Experiment } from './schema.js';

export interface Limits {
  /** Simulated events over the whole command (every run, every probe). */
  readonly maxEvents: number;
  /** Estimated peak memory of the command, in bytes. */
  readonly maxMemoryBytes: number;
}

/**
 * Sized for a 2-core, 24 GiB machine: the engine does 5 to 10 M events/s, so 2·10^9 events is a few
 * minutes; Node's default heap limit is 4 GiB, and results are held in memory until written.
 */
export const DEFAULT_LIMITS: Limits = { maxEvents: 2e9, maxMemoryBytes: 4 * 1024 ** 3 };

/** More sweep points than this are refused before the sweep is even expanded. */
export const MAX_SWEEP_POINTS = 100_000;

// Measured on the committed experiments: an open-loop run does 4.0 ± 0.05 events per offered
// request (arrival, proxy, service start, response) with one request per connection; health
// checks and syncs are negligible. When a reply's arrival is an event of its own (keep-alive
// connections to free, closed-loop clients to wake: see RequestLifecycle.deliverNow) there is one
// more, 5.0–5.1 measured (q11). Each is rounded up.
const EVENTS_PER_REQUEST = 4.5;
const EVENTS_PER_REQUEST_DELIVERED = 5.5;
// Rough bytes per held object, measured with --expose-gc on runs of the committed experiments:
// a result row of 40 cells, a compiled endpoint (table entry plus its share of rule text), a
// conntrack entry in its typed arrays, a client's state, one sweep point's copy of the experiment.
const BYTES_PER_ROW = 1_000;
const BYTES_PER_ENDPOINT = 300;
const BYTES_PER_SERVICE = 1_000;
const BYTES_PER_CONNTRACK_ENTRY = 64;
const BYTES_PER_CLIENT = 100;
const BYTES_PER_POINT = 4_000;
// Series per bucket of timeseries.csv: a handful per pod; pods come from manifests, which are
// not read yet, so a typical small Deployment is assumed.
const TIMESERIES_ROWS_PER_BUCKET = 16;
/** Base footprint of a run (node tables, histograms, the engine's queues). */
const BYTES_PER_RUN_BASE = 8 * 1024 * 1024;

export interface Estimate {
  readonly runs: number;
  readonly events: number;
  readonly memoryBytes: number;
  /** The key that contributes most to each figure, to say what to change. */
  readonly eventsKey: string;
  readonly memoryKey: string;
}

const get = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
const num = (obj: unknown, path: string, fallback = 0): number => {
  const v = get(obj, path);
  return typeof v === 'number' ? v : fallback;
};
/** The mean of a number-or-distribution field (`{dist, meanMs}`), for estimates only. */
const meanMs = (obj: unknown, path: string, fallback: number): number => {
  const v = get(obj, path);
  if (typeof v === 'number') return v;
  const m = get(v, 'meanMs') ?? get(v, 'valueMs');
  return typeof m === 'number' ? m : fallback;
};

/** Offered requests per second of one run: the rate, or for a closed loop clients / cycle time. */
function requestRate(e: unknown): number {
  if (get(e, 'traffic.model') === 'closed') {
    const cycleMs = meanMs(e, 'traffic.thinkTimeMs', 0) + 2 * meanMs(e, 'network.clientToNodeMs', 0) + meanMs(e, 'pods.serviceTime', 0);
    return num(e, 'traffic.clients') / Math.max(cycleMs / 1000, 1e-6);
  }
  return num(e, 'traffic.ratePerS');
}

/** One run of one sweep point. */
export function estimateRun(e: unknown): { events: number; memoryBytes: number; memoryKey: string } {
  const simulatedS = num(e, 'durationS') + num(e, 'warmupS');
  const replyIsEvent = num(e, 'traffic.requestsPerConnection') > 1 || get(e, 'traffic.model') === 'closed';
  const events = requestRate(e) * simulatedS * (replyIsEvent ? EVENTS_PER_REQUEST_DELIVERED : EVENTS_PER_REQUEST);
  const nodesField = get(e, 'cluster.nodes');
  const nodes = Array.isArray(nodesField) ? nodesField.length : typeof nodesField === 'number' ? nodesField : 1;
  const services = num(e, 'cluster.backgroundServices');
  // Conntrack tables grow as entries arrive: at most every connection's, on its ingress and its pod's node.
  const conntrackEntries = Math.min(num(e, 'conntrack.maxEntries') * Math.max(1, nodes), 2 * requestRate(e) * simulatedS);
  const parts: [string, number][] = [
    // Compiled once for every node (proxy/compile.ts, SharedTables), not once per node.
    ['cluster.backgroundServices', services * (BYTES_PER_SERVICE + num(e, 'cluster.backgroundEndpointsPerService') * BYTES_PER_ENDPOINT)],
    [simulatedS > 11 / num(e, 'timeseriesBucketS', 1) ? 'durationS' : 'timeseriesBucketS', (simulatedS / num(e, 'timeseriesBucketS', 1)) * TIMESERIES_ROWS_PER_BUCKET * BYTES_PER_ROW],
    ['conntrack.maxEntries', conntrackEntries * BYTES_PER_CONNTRACK_ENTRY],
    ['traffic.clients', num(e, 'traffic.clients') * BYTES_PER_CLIENT],
  ];
  const top = parts.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { events, memoryBytes: BYTES_PER_RUN_BASE + parts.reduce((s, [, v]) => s + v, 0), memoryKey: top[0] };
}

/** The number of sweep points: the product of the sweep's list lengths. */
export const sweepSize = (e: Experiment): number => Object.values(e.sweep).reduce((n, values) => n * values.length, 1);

/** Estimates a whole experiment (every point × replications); `pointsOf` expands the sweep. */
export function estimateExperiment(e: Experiment, pointsOf: (e: Experiment) => readonly { readonly experiment: Experiment }[]): Estimate {
  const points = sweepSize(e);
  const replications = num(e, 'replications', 1);
  if (points > MAX_SWEEP_POINTS) {
    return { runs: points * replications, events: Number.POSITIVE_INFINITY, memoryBytes: points * BYTES_PER_POINT, eventsKey: 'sweep', memoryKey: 'sweep' };
  }
  let events = 0;
  let heldRows = 0;
  let peakRun = 0;
  let memoryKey = 'replications';
  let worstEvents = -1;
  let eventsKey = 'durationS';
  for (const { experiment: p } of pointsOf(e)) {
    const run = estimateRun(p);
    events += run.events * replications;
    // A run's timeseries rows are held until the end; its tables are freed after it.
    heldRows += replications * (1 + (num(p, 'durationS') + num(p, 'warmupS')) / num(p, 'timeseriesBucketS', 1)) * TIMESERIES_ROWS_PER_BUCKET;
    if (run.memoryBytes > peakRun) {
      peakRun = run.memoryBytes;
      memoryKey = run.memoryKey;
    }
    if (run.events > worstEvents) {
      worstEvents = run.events;
      // The key furthest above its default (10 s + 1 s warm-up, 5000 requests/s) is the one to change.
      const factors: [string, number][] = [
        ['durationS', (num(p, 'durationS') + num(p, 'warmupS')) / 11],
        [get(p, 'traffic.model') === 'closed' ? 'traffic.clients' : 'traffic.ratePerS', requestRate(p) / 5000],
        ['replications', replications],
        ['sweep', points],
      ];
      eventsKey = factors.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    }
  }
  const memoryBytes = peakRun + heldRows * BYTES_PER_ROW + points * BYTES_PER_POINT;
  if (heldRows * BYTES_PER_ROW > peakRun) memoryKey = num(e, 'durationS') + num(e, 'warmupS') > 11 / num(e, 'timeseriesBucketS', 1) ? 'durationS' : 'timeseriesBucketS';
  return { runs: points * replications, events, memoryBytes, eventsKey, memoryKey };
}

const big = (n: number): string => (Number.isFinite(n) ? String(Number(n.toPrecision(3))).replace('e+', 'e') : 'unbounded (infinite)');
const gib = (bytes: number): string => (Number.isFinite(bytes) ? `${big(bytes / 1024 ** 3)} GiB` : 'an unbounded (infinite) amount');

/** The issues of an estimate over the limits; empty when it fits. */
export function budgetIssues(estimate: Estimate, limits: Limits, file?: string): InputIssue[] {
  const issues: InputIssue[] = [];
  if (estimate.eventsKey === 'sweep' && estimate.memoryKey === 'sweep' && !Number.isFinite(estimate.events)) {
    issues.push({ file, path: 'sweep', message: `expands to more than ${MAX_SWEEP_POINTS} points; sweep fewer values` });
    return issues;
  }
  if (!(estimate.events <= limits.maxEvents)) {
    issues.push({
      file,
      path: estimate.eventsKey,
      message: `${estimate.runs === 1 ? 'the run' : `the ${estimate.runs} runs`} would simulate about ${big(estimate.events)} events, over the limit of ${big(limits.maxEvents)}; lower ${estimate.eventsKey}, or raise --max-events`,
    });
  }
  if (!(estimate.memoryBytes <= limits.maxMemoryBytes)) {
    issues.push({
      file,
      path: estimate.memoryKey,
      message: `the runs would need about ${gib(estimate.memoryBytes)} of memory, over the limit of ${gib(limits.maxMemoryBytes)}; change ${estimate.memoryKey}, or raise --max-memory`,
    });
  }
  return issues;
}

/** Throws an InputError (exit 2) when the experiment cannot finish within the limits. */
export function checkBudget(
  e: Experiment,
  limits: Limits,
  pointsOf: (e: Experiment) => readonly { readonly experiment: Experiment }[],
  file?: string,
  /** The share of the runs this process does (1/N for a shard). */
  share = 1,
): Estimate {
  const whole = estimateExperiment(e, pointsOf);
  const estimate = { ...whole, runs: Math.ceil(whole.runs * share), events: whole.events * share };
  const issues = budgetIssues(estimate, limits, file);
  if (issues.length > 0) throw new InputError(issues);
  return estimate;
}

/**
 * Capacity's bisection stops when the bracket is narrower than tolerance × rate; below about
 * 2^-40 the midpoint of two doubles stops moving and the loop would never end.
 */
export const MIN_CAPACITY_TOLERANCE = 1e-9;

/** Probes of a capacity search: at most 31 to bracket each way, then one per halving of the bracket. */
export const capacityProbes = (tolerance: number): number => 2 * 31 + Math.ceil(Math.log2(1 / tolerance));
