// `nodeport-sim merge`: shard folders in, the files one unsharded run would have written out.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../input/problems.js';
import { mergeShards } from '../../experiment/shard.js';
import { summarize } from '../../experiment/summary.js';
import { runJson } from '../../experiment/verdict-json.js';
import { runJunit } from '../../io/junit-xml.js';
import { readShardDir } from '../../io/shard-files.js';
import { writeTextFile } from '../../io/write-text.js';
import { writeResults } from '../../io/write-results.js';
import { addLimitOptions } from '../limits.js';
import { thisProcess } from '../process-owner.js';
import { printable } from '../terminal-text.js';
import { TOOL_VERSION } from '../tool-version.js';
import { reportViolations } from '../violations.js';

interface MergeOptions {
  readonly out: string;
  readonly png?: boolean;
  readonly quiet?: boolean;
  readonly json?: boolean;
  readonly junit?: string;
  readonly maxInput: number;
}

/** True when `inner` is `outer` or lies inside it. */
const within = (inner: string, outer: string): boolean => {
  const rel = relative(outer, inner);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
};

export function registerMerge(program: Command): void {
  const command = program
    .command('merge')
    .description('combine the folders of run --shard I/N into the results of one whole run')
    .argument('<dirs...>', 'shard folders, one per shard')
    .requiredOption('-o, --out <dir>', 'output folder for the merged results, replaced whole (not a shard folder, nor one holding them)')
    .option('--png', 'also render every chart to PNG')
    .option('--json', "print a JSON summary of the merged runs (every point's metrics, each assertion's verdict) on stdout")
    .option('--junit <file>', 'write the assertions over the merged runs as JUnit XML, one test case per assertion and sweep point')
    .option('-q, --quiet', 'print nothing but errors');
  addLimitOptions(command, false).action(async (dirs: string[], opts: MergeOptions) => {
    const outDir = resolve(opts.out);
    // The output folder is replaced whole: it must neither be a shard folder nor hold one.
    const clashes = dirs.filter((d) => within(resolve(d), outDir) || within(outDir, resolve(d)));
    if (clashes.length > 0) {
      throw new InputError(clashes.map((d) => ({ file: d, path: '--out', message: `${outDir} would replace this shard folder or be written inside it; merge into a folder of its own` })));
    }
    const { experiment, results } = mergeShards(
      dirs.map((d) => readShardDir(d, thisProcess, opts.maxInput)),
      TOOL_VERSION,
    );
    const written = await writeResults(outDir, experiment, results, thisProcess, { png: opts.png === true });
    if (!opts.quiet) process.stderr.write(printable(`merged ${dirs.length} shards, ${results.runs.length} runs; wrote ${outDir}/{${written.join(',')}}\n`));
    // The verdict over the whole: the same JSON and JUnit an unsharded run gives.
    const judgements = reportViolations(experiment, results);
    if (opts.junit !== undefined) writeTextFile(opts.junit, runJunit(experiment.name, judgements));
    if (opts.json) process.stdout.write(`${JSON.stringify(runJson(experiment.name, outDir, results.params, summarize(results), judgements), null, 2)}\n`);
  });
}
