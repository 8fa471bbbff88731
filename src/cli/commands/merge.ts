// `nodeport-sim merge`: shard folders in, the files one unsharded run would have written out.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../input/problems.js';
import { mergeShards } from '../../experiment/shard.js';
import { readShardDir } from '../../io/shard-files.js';
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
    reportViolations(experiment, results);
  });
}
