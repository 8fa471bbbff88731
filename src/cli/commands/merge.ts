// `nodeport-sim merge`: shard folders in, the files one unsharded run would have written out.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { mergeShards } from '../../experiment/shard.js';
import { readShardDir } from '../../io/shard-files.js';
import { writeResults } from '../../io/write-results.js';
import { reportViolations } from '../violations.js';

interface MergeOptions {
  readonly out: string;
  readonly png?: boolean;
  readonly quiet?: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('combine the folders of run --shard I/N into the results of one whole run')
    .argument('<dirs...>', 'shard folders, one per shard')
    .requiredOption('-o, --out <dir>', 'output folder for the merged results')
    .option('--png', 'also render every chart to PNG')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (dirs: string[], opts: MergeOptions) => {
      const { experiment, results } = mergeShards(dirs.map(readShardDir));
      const outDir = resolve(opts.out);
      const written = await writeResults(outDir, experiment, results, { png: opts.png === true });
      if (!opts.quiet) process.stderr.write(`merged ${dirs.length} shards, ${results.runs.length} runs; wrote ${outDir}/{${written.join(',')}}\n`);
      reportViolations(experiment, results);
    });
}
