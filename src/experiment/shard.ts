// Shards: run `run % count == index` of a plan on each of several machines, then merge their
// rows into exactly what one machine would have produced. A shard keeps its rows at full
// precision (shard.json), since CSV rounds and summaries of rounded rows would differ.
// shard.json records the tool version that wrote it and a SHA-256 of its payload: merge refuses
// shards of another version (their numbers may differ) and payloads changed after writing.

import { createHash } from 'node:crypto';
import { InputError, type InputIssue } from '../input/problems.js';
import type { ExperimentResults, Row } from './results.js';
import { type Experiment, validateExperiment } from './schema.js';

export interface Shard {
  readonly index: number;
  readonly count: number;
}

export const SHARD_FORMAT = 'nodeport-sim-shard/1';

/** What a shard holds, before its integrity fields are added. */
export interface ShardPayload {
  readonly shard: Shard;
  readonly totalRuns: number;
  readonly experiment: Experiment;
  readonly results: ExperimentResults;
}

export interface ShardData extends ShardPayload {
  readonly format: typeof SHARD_FORMAT;
  /** The nodeport-sim version that ran the shard. */
  readonly toolVersion: string;
  /** SHA-256 (hex) of the payload's canonical JSON (see payloadHash). */
  readonly sha256: string;
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
const replacer = (_: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? { nonFinite: String(v) } : v);

/**
 * The hash of a payload: SHA-256 of its compact JSON, keys in insertion order. Decoding and
 * re-encoding gives the same text (JSON numbers round-trip exactly), so merge recomputes it.
 */
export function payloadHash(p: ShardPayload): string {
  const canonical = JSON.stringify({ shard: p.shard, totalRuns: p.totalRuns, experiment: p.experiment, results: p.results }, replacer);
  return createHash('sha256').update(canonical).digest('hex');
}

export function encodeShard(payload: ShardPayload, toolVersion: string): string {
  const { shard, totalRuns, experiment, results } = payload;
  const data: ShardData = { format: SHARD_FORMAT, toolVersion, sha256: payloadHash(payload), shard, totalRuns, experiment, results };
  return `${JSON.stringify(data, replacer, 1)}\n`;
}

export function decodeShard(text: string): unknown {
  return JSON.parse(text, (_, v) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.nonFinite === 'string') return Number(v.nonFinite);
    return v;
  });
}

const isShardData = (v: unknown): v is ShardData =>
  typeof v === 'object' && v !== null && (v as ShardData).format === SHARD_FORMAT && typeof (v as ShardData).shard?.count === 'number';

const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isRowList = (v: unknown): boolean =>
  Array.isArray(v) &&
  v.every((row) => row !== null && typeof row === 'object' && !Array.isArray(row) && Number.isInteger((row as Row).run) && Object.values(row).every((c) => typeof c === 'string' || typeof c === 'number'));

/** What a shard must hold beyond its format tag before its rows are trusted. */
function shardIssues(source: string, data: ShardData, toolVersion: string): InputIssue[] {
  const issues: InputIssue[] = [];
  if (data.toolVersion !== toolVersion) {
    issues.push({ file: source, path: 'toolVersion', message: `the shard was written by nodeport-sim ${JSON.stringify(data.toolVersion)}, this is ${toolVersion}; run every shard with one version` });
  }
  const { index, count } = data.shard;
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count) {
    issues.push({ file: source, path: 'shard', message: 'expected integers 0 <= index < count' });
  }
  if (!Number.isInteger(data.totalRuns) || data.totalRuns < 0) issues.push({ file: source, path: 'totalRuns', message: 'expected a whole number' });
  const r = data.results as unknown as Record<string, unknown> | undefined;
  const listsOk =
    r !== undefined &&
    r !== null &&
    ['params', 'runColumns', 'podColumns', 'nodeColumns', 'timeseriesColumns', 'notes'].every((k) => isStringList(r[k])) &&
    ['runs', 'pods', 'nodes', 'timeseries'].every((k) => isRowList(r[k]));
  if (!listsOk) issues.push({ file: source, path: 'results', message: 'expected the column lists, rows of strings and numbers, and notes that run writes' });
  if (issues.length > 0) return issues;
  if (data.sha256 !== payloadHash(data)) {
    return [{ file: source, path: 'sha256', message: 'does not match the shard\'s contents: the file was changed after run --shard wrote it; run the shard again' }];
  }
  // The stored experiment is checked exactly as run checks an experiment file.
  const { experiment, issues: invalid } = validateExperiment(data.experiment, source);
  if (!experiment) return invalid.map((i) => ({ ...i, path: i.path === '' ? 'experiment' : `experiment.${i.path}` }));
  return [];
}

/** Rows of several shards in run order; rows of one run keep their order. */
const byRun = (lists: readonly (readonly Row[])[]): Row[] =>
  lists
    .flat()
    .map((row, i) => [row, i] as const)
    .sort((a, b) => (a[0].run as number) - (b[0].run as number) || a[1] - b[1])
    .map(([row]) => row);

/** Merges shards (each named by where it came from) into one experiment's results. */
export function mergeShards(shards: readonly { readonly source: string; readonly data: unknown }[], toolVersion: string): { experiment: Experiment; results: ExperimentResults } {
  const issues: InputIssue[] = [];
  const valid = shards.filter((s) => {
    if (!isShardData(s.data)) {
      issues.push({ file: s.source, path: '', message: `is not a nodeport-sim shard (expected format ${SHARD_FORMAT})` });
      return false;
    }
    const found = shardIssues(s.source, s.data, toolVersion);
    issues.push(...found);
    return found.length === 0;
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
