// `nodeport-sim run`: an experiment file in, results/<name>/ out.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkAssertions, formatViolation } from '../../experiment/gates.js';
import { runExperiment } from '../../experiment/runner.js';
import { summarize } from '../../experiment/summary.js';
import { writeResults } from '../../io/write-results.js';
import { loadExperiment } from '../load-experiment.js';
import { collect, integerOption } from '../options.js';
import { progressReporter } from '../progress.js';

interface RunOptions {
  readonly out?: string;
  readonly seed?: number;
  readonly replications?: number;
  readonly set: string[];
  readonly quiet?: boolean;
  readonly png?: boolean;
}

// Kept importable from here, where tests and users first looked for it.
export { applySets } from '../load-experiment.js';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an experiment file and write CSV, charts and the resolved experiment to results/<name>/')
    .argument('<experiment>', 'experiment file (YAML)')
    .option('-o, --out <dir>', 'output folder (default: results/<experiment name>/)')
    .option('--seed <n>', 'override the experiment seed', integerOption('--seed'))
    .option('--replications <n>', 'override the number of replications', integerOption('--replications'))
    .option('--set <path=value>', 'override any experiment key by its dotted path (repeatable)', collect, [])
    .option('--png', 'also render every chart to PNG')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (file: string, opts: RunOptions) => {
      const { experiment, docs } = loadExperiment(file, opts);
      const progress = progressReporter(opts.quiet === true);
      const started = process.hrtime.bigint();
      const results = runExperiment(experiment, docs, { file, onStart: progress.start, onRunDone: progress.runDone });
      progress.stop();
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      const outDir = resolve(opts.out ?? `results/${experiment.name}`);
      const written = await writeResults(outDir, experiment, results, { png: opts.png === true });
      progress.finished(results, wallS, outDir, written);
      // Results are written first: a failed gate is a finding to look at, not a reason to lose it.
      const violations = checkAssertions(experiment.assert, results.params, summarize(results));
      for (const v of violations) process.stderr.write(`${formatViolation(v)}\n`);
      if (violations.length > 0) process.exitCode = 1;
    });
}
