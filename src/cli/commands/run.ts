// `nodeport-sim run`: an experiment file in, results/<name>/ out (or one shard's folder).

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { planRuns } from '../../experiment/plan.js';
import { selectRuns, simulatedSeconds } from '../../experiment/runner.js';
import { parseShard } from '../../experiment/shard.js';
import { writeFilesAtomically } from '../../io/atomic-write.js';
import { shardFiles } from '../../io/shard-files.js';
import { writeResults } from '../../io/write-results.js';
import { loadExperiment } from '../load-experiment.js';
import { collect, integerOption } from '../options.js';
import { progressReporter } from '../progress.js';
import { runWithJobs } from '../run-jobs.js';
import { reportViolations } from '../violations.js';

// Kept importable from here, where tests and users first looked for it.
export { applySets } from '../load-experiment.js';

interface RunOptions {
  readonly out?: string;
  readonly seed?: number;
  readonly replications?: number;
  readonly set: string[];
  readonly quiet?: boolean;
  readonly png?: boolean;
  readonly charts: boolean;
  readonly shard?: string;
  readonly jobs: number;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run an experiment file and write CSV, charts, report.html and the resolved experiment to results/<name>/')
    .argument('<experiment>', 'experiment file (YAML)')
    .option('-o, --out <dir>', 'output folder (default: results/<experiment name>/, or results/<name>/shard-I-of-N/ with --shard)')
    .option('--seed <n>', 'override the experiment seed', integerOption('--seed'))
    .option('--replications <n>', 'override the number of replications', integerOption('--replications'))
    .option('--set <path=value>', 'override any experiment key by its dotted path (repeatable)', collect, [])
    .option('--shard <I/N>', 'run only runs with run % N == I and write a shard folder for `merge`; auto/N takes I from JOB_COMPLETION_INDEX')
    .option('-j, --jobs <n>', 'child processes to run sweep points and replications in (default: the machine\'s cores)', integerOption('--jobs'), availableParallelism())
    .option('--png', 'also render every chart to PNG')
    .option('--no-charts', 'write no charts (CSV and report only): skips loading the chart libraries')
    .option('-q, --quiet', 'print nothing but errors')
    .action(async (file: string, opts: RunOptions) => {
      const shard = opts.shard === undefined ? undefined : parseShard(opts.shard, process.env.JOB_COMPLETION_INDEX);
      const { experiment, docs } = loadExperiment(file, opts);
      const progress = progressReporter(opts.quiet === true);
      const started = process.hrtime.bigint();
      const plan = selectRuns(experiment, { file, ...(shard ? { shard } : {}) });
      progress.start(plan.length, plan.reduce((sum, r) => sum + simulatedSeconds(r), 0));
      const results = await runWithJobs(experiment, docs, { file, jobs: opts.jobs, onRunProgress: progress.runProgress, onRunDone: progress.runDone, ...(shard ? { shard } : {}) });
      progress.stop();
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      if (shard) {
        const outDir = resolve(opts.out ?? `results/${experiment.name}/shard-${shard.index}-of-${shard.count}`);
        const files = await shardFiles(experiment, results, shard, planRuns(experiment).length);
        writeFilesAtomically(outDir, files);
        progress.finished(results, wallS, outDir, files.map((f) => f.path));
        return;
      }
      const outDir = resolve(opts.out ?? `results/${experiment.name}`);
      const written = await writeResults(outDir, experiment, results, { png: opts.png === true, charts: opts.charts });
      progress.finished(results, wallS, outDir, written);
      // Results are written first: a failed gate is a finding to look at, not a reason to lose it.
      reportViolations(experiment, results);
    });
}
