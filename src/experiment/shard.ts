// Shards: run `run % count == index` of a plan on each of several machines, then merge their
// rows into exactly what one machine would have produced. A shard keeps its rows at full
// precision (shard.json), since CSV rounds and summaries of rounded rows would differ.

import { InputError, type InputIssue } from '../input/problems.js';
import type { ExperimentResults, Row } from './results.js';
import type { Experiment } from './schema.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const SHARD_FORMAT = 'nodeport-sim-shard/1';

export interface ShardData {
  readonly format: typeof SHARD_FORMAT;
  readonly shard: Shard;
  readonly totalRuns: number;
  readonly experiment: Experiment;
  readonly results: ExperimentResults;
}

export const inShard = (shard: Shard | undefined, run: number): boolean => shard === undefined || run % shard.count === shard.index;

/** `I/N`; `auto/N` takes I from `autoIndex` (a Kubernetes Indexed Job's JOB_COMPLETION_INDEX). */
export function parseShard(text: string, autoIndex: string | undefined): Shard {
  const fail = (message: string): never => {
    throw new InputError([{ path: '--shard', message }]);
  };
  const m = /^(\d+|auto)\/(\d+)$/.exec(text);
  if (!m) return fail(`got "${text}", expected I/N (0 <= I < N), or auto/N with JOB_COMPLETION_INDEX set`);
  const count = Number(m[2]);
  let indexText = m[1];
  if (indexText === 'auto') {
    if (autoIndex === undefined || !/^\d+$/.test(autoIndex)) return fail(`got "${text}", but JOB_COMPLETION_INDEX is ${autoIndex === undefined ? 'not set' : `"${autoIndex}", not a whole number`}`);
    indexText = autoIndex;
  }
  const index = Number(indexText);
  if (count < 1 || index >= count) return fail(`got shard ${index} of ${count}, expected 0 <= I < N and N >= 1`);
  return { index, count };
}

/** JSON keeps doubles exactly but has no NaN or ±Infinity; those become `{"nonFinite": "NaN"}`. */
export function encodeShard(data: ShardData): string {
  return `${JSON.stringify(data, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v), 1)}\n`;
}

export function decodeShard(text: string): unknown {
  return JSON.parse(text, (_, v) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.nonFinite === 'string') return Number(v.nonFinite);
    return v;
  });
}

const isShardData = (v: unknown): v is ShardData =>
  typeof v === 'object' && v !== null && (v as ShardData).format === SHARD_FORMAT && typeof (v as ShardData).shard?.count === 'number';

/** Rows of several shards in run order; rows of one run keep their order. */
const byRun = (lists: readonly (readonly Row[])[]): Row[] =>
  lists
    .flat()
    .map((row, i) => [row, i] as const)
    .sort((a, b) => (a[0].run as number) - (b[0].run as number) || a[1] - b[1])
    .map(([row]) => row);

/** Merges shards (each named by where it came from) into one experiment's results. */
export function mergeShards(shards: readonly { readonly source: string; readonly data: unknown }[]): { experiment: Experiment; results: ExperimentResults } {
  const issues: InputIssue[] = [];
  const valid = shards.filter((s) => {
    if (isShardData(s.data)) return true;
    issues.push({ file: s.source, path: '', message: `is not a nodeport-sim shard (expected format ${SHARD_FORMAT})` });
    return false;
  }) as { source: string; data: ShardData }[];
  if (issues.length > 0 || valid.length === 0) throw new InputError(issues.length > 0 ? issues : [{ path: '', message: 'no shard folders given' }]);

  const first = valid[0].data;
  const experimentJson = JSON.stringify(first.experiment);
  const seen = new Map<number, string>();
  for (const { source, data } of valid) {
    if (JSON.stringify(data.experiment) !== experimentJson) issues.push({ file: source, path: 'experiment', message: `differs from ${valid[0].source}'s: shards must come from one experiment and one set of options` });
    if (data.shard.count !== first.shard.count) issues.push({ file: source, path: 'shard', message: `is one of ${data.shard.count} shards, ${valid[0].source} one of ${first.shard.count}` });
    const other = seen.get(data.shard.index);
    if (other !== undefined) issues.push({ file: source, path: 'shard', message: `shard ${data.shard.index} is also in ${other}` });
    seen.set(data.shard.index, source);
  }
  const missing = Array.from({ length: first.shard.count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) issues.push({ path: '', message: `shards ${missing.join(', ')} of ${first.shard.count} are missing` });
  if (issues.length > 0) throw new InputError(issues);

  const ordered = [...valid].sort((a, b) => a.data.shard.index - b.data.shard.index).map((s) => s.data.results);
  const runs = byRun(ordered.map((r) => r.runs));
  if (runs.length !== first.totalRuns || runs.some((r, i) => r.run !== i)) {
    throw new InputError([{ path: '', message: `the shards hold ${runs.length} runs, expected runs 0 to ${first.totalRuns - 1} once each` }]);
  }
  return {
    experiment: first.experiment,
    results: {
      ...first.results,
      runs,
      pods: byRun(ordered.map((r) => r.pods)),
      nodes: byRun(ordered.map((r) => r.nodes)),
      timeseries: byRun(ordered.map((r) => r.timeseries)),
      notes: [...new Set(ordered.flatMap((r) => r.notes))],
    },
  };
}
