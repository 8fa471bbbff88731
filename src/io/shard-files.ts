// A shard's folder: its own rows as CSV for a quick look, and shard.json holding them at full
// precision for `merge`. Summary, charts and report come only from the merged whole.

import { join } from 'node:path';
import { InputError } from '../input/problems.js';
import type { ExperimentResults } from '../experiment/results.js';
import type { Experiment } from '../experiment/schema.js';
import { decodeShard, encodeShard, type Shard } from '../experiment/shard.js';
import { type LockOwner, type OutputFile, settleResultSet } from './atomic-write.js';
import { toCsv } from './csv.js';
import { DEFAULT_MAX_INPUT_BYTES, readInputText } from './read-input.js';

export async function shardFiles(experiment: Experiment, results: ExperimentResults, shard: Shard, totalRuns: number, toolVersion: string): Promise<OutputFile[]> {
  return [
    { path: 'runs.csv', content: await toCsv(results.runColumns, results.runs, true) },
    { path: 'pods.csv', content: await toCsv(results.podColumns, results.pods) },
    { path: 'nodes.csv', content: await toCsv(results.nodeColumns, results.nodes) },
    { path: 'timeseries.csv', content: await toCsv(results.timeseriesColumns, results.timeseries) },
    { path: 'experiment.resolved.json', content: `${JSON.stringify(experiment, null, 2)}\n` },
    { path: 'shard.json', content: encodeShard({ shard, totalRuns, experiment, results }, toolVersion) },
  ];
}

/**
 * Reads a shard folder's shard.json (a regular file, at most `maxBytes`), first finishing or
 * undoing a write of that folder that was interrupted mid-swap.
 */
export function readShardDir(dir: string, owner: LockOwner, maxBytes: number = DEFAULT_MAX_INPUT_BYTES): { source: string; data: unknown } {
  settleResultSet(dir, owner);
  const source = join(dir, 'shard.json');
  let text: string;
  try {
    text = readInputText(source, maxBytes);
  } catch (error) {
    if (error instanceof InputError && error.issues.length === 1 && error.issues[0].message === 'no such file') {
      throw new InputError([{ file: source, path: '', message: 'no such file: is this a folder written by run --shard?' }]);
    }
    throw error;
  }
  try {
    return { source, data: decodeShard(text) };
  } catch (error) {
    throw new InputError([{ file: source, path: '', message: `is not valid JSON (${(error as Error).message.slice(0, 200)})` }]);
  }
}
