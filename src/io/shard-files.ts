// A shard's folder: its own rows as CSV for a quick look, and shard.json holding them at full
// precision for `merge`. Summary, charts and report come only from the merged whole.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../input/problems.js';
import type { ExperimentResults } from '../experiment/results.js';
import type { Experiment } from '../experiment/schema.js';
import { decodeShard, encodeShard, SHARD_FORMAT, type Shard } from '../experiment/shard.js';
import type { OutputFile } from './atomic-write.js';
import { toCsv } from './csv.js';

export async function shardFiles(experiment: Experiment, results: ExperimentResults, shard: Shard, totalRuns: number): Promise<OutputFile[]> {
  return [
    { path: 'runs.csv', content: await toCsv(results.runColumns, results.runs, true) },
    { path: 'pods.csv', content: await toCsv(results.podColumns, results.pods) },
    { path: 'nodes.csv', content: await toCsv(results.nodeColumns, results.nodes) },
    { path: 'timeseries.csv', content: await toCsv(results.timeseriesColumns, results.timeseries) },
    { path: 'experiment.resolved.json', content: `${JSON.stringify(experiment, null, 2)}\n` },
    { path: 'shard.json', content: encodeShard({ format: SHARD_FORMAT, shard, totalRuns, experiment, results }) },
  ];
}

export function readShardDir(dir: string): { source: string; data: unknown } {
  const source = join(dir, 'shard.json');
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError([{ file: source, path: '', message: code === 'ENOENT' ? 'no such file: is this a folder written by run --shard?' : `cannot read file (${code})` }]);
  }
  try {
    return { source, data: decodeShard(text) };
  } catch (error) {
    throw new InputError([{ file: source, path: '', message: `is not valid JSON (${(error as Error).message})` }]);
  }
}
