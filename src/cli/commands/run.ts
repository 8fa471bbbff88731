// `nodeport-sim run`: an experiment file in, results/<name>/ out (or one shard's folder).

import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type PlannedRun, planRuns, sweepPoints } from '../../experiment/plan.js';
import { checkBudget } from '../../experiment/run-budget.js';
import { selectRuns, simulatedSeconds } from '../../experiment/runner.js';
import type { ExperimentResults } from '../../experiment/results.js';
import { TRACE_COLUMNS, traceObserver } from '../../experiment/trace.js';
import { CsvStream } from '../../io/trace-writer.js';
import { parseShard } from '../../experiment/shard.js';
import { lockResultSet, type OutputFile, replaceResultSet } from '../../io/atomic-write.js';
import { shardFiles } from '../../io/shard-files.js';
import { resultFiles } from '../../io/write-results.js';
import { runJunit } from '../../io/junit-xml.js';
import { writeTextFile } from '../../io/write-text.js';
import { judgeAssertions } from '../../experiment/gates.js';
import { summarize } from '../../experiment/summary.js';
import { runJson } from '../../experiment/verdict-json.js';
import { startChartProcess } from '../chart-process.js';
import { addLimitOptions, type LimitFlags, limitsFrom } from '../limits.js';
import { loadExperiment } from '../load-experiment.js';
import { collect, integerOption } from '../options.js';
import { thisProcess } from '../process-owner.js';
import { progressReporter } from '../progress.js';
import { TOOL_VERSION } from '../tool-version.js';
import { runWithJobs } from '../run-jobs.js';
import { reportViolations } from '../violations.js';

// Kept importable from here, where tests and users first looked for it.
export { applySets } from '../load-experiment.js';

interface RunOptions extends LimitFlags {
  readonly out?: string;
  readonly seed?: number;
  readonly replications?: number;
  readonly set: string[];
  readonly quiet?: boolean;
  readonly png?: boolean;
  readonly charts: boolean;
  readonly shard?: string;
  readonly json?: boolean;
  readonly junit?: string;
  readonly trace?: string;
  readonly jobs: number;
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('run an experiment file and write CSV, charts, report.html and the resolved experiment to results/<name>/')
    .argument('<experiment>', 'experiment file (YAML), or - for stdin')
    .option('-o, --out <dir>', 'output folder, replaced whole (default: results/<experiment name>/, or results/<name>/shard-I-of-N/ with --shard)')
    .option('--seed <n>', 'override the experiment seed', integerOption('--seed'))
    .option('--replications <n>', 'override the number of replications', integerOption('--replications'))
    .option('--set <path=value>', 'override any experiment key by its dotted path (repeatable)', collect, [])
    .option('--shard <I/N>', 'run only runs with run % N == I and write a shard folder for `merge`; auto/N takes I from JOB_COMPLETION_INDEX')
    .option('-j, --jobs <n>', 'child processes to run sweep points and replications in (default: the machine\'s cores)', integerOption('--jobs'), availableParallelism())
    .option('--png', 'also render every chart to PNG')
    .option('--no-charts', 'write no charts (CSV and report only): skips loading the chart libraries')
    .option('--json', "print a JSON summary (every point's metrics, each assertion's verdict) on stdout; with --shard, of the shard's runs")
    .option('--trace <file>', 'write one CSV row per request (client, ingress node, pod, outcome, times and latency parts), streamed; the runs then stay in this process')
    .option('--junit <file>', 'write the assertions as JUnit XML, one test case per assertion and sweep point; with --shard, judged on the shard\'s runs')
    .option('-q, --quiet', 'print nothing but errors');
  addLimitOptions(command).action(async (file: string, opts: RunOptions) => {
    const shard = opts.shard === undefined ? undefined : parseShard(opts.shard, process.env.JOB_COMPLETION_INDEX);
    const { experiment, docs } = loadExperiment(file, opts);
    // Refused before anything is simulated or locked: the estimate names the key to change.
    checkBudget(experiment, limitsFrom(opts), sweepPoints, file, shard ? 1 / shard.count : 1);
    const outDir = resolve(opts.out ?? (shard ? `results/${experiment.name}/shard-${shard.index}-of-${shard.count}` : `results/${experiment.name}`));
    // Locked before simulating, so a second run into the same folder is told at once.
    const lock = lockResultSet(outDir, thisProcess);
    // The chart libraries load in a child while this process simulates (a shard draws no charts).
    const charts = shard || !opts.charts ? undefined : startChartProcess();
    try {
      const progress = progressReporter(opts.quiet === true);
      const started = process.hrtime.bigint();
      const onWarnings = (lines: readonly string[]) => {
        if (opts.quiet !== true) for (const w of lines) process.stderr.write(`warning: ${w}\n`);
      };
      const plan = selectRuns(experiment, { file, ...(shard ? { shard } : {}) });
      progress.start(plan.length, plan.reduce((sum, r) => sum + simulatedSeconds(r), 0));
      const trace = opts.trace === undefined ? undefined : new CsvStream(opts.trace, TRACE_COLUMNS);
      const observerFor = trace === undefined ? undefined : (planned: PlannedRun) => traceObserver(planned, (row) => trace.row(row));
      let results: ExperimentResults;
      try {
        results = await runWithJobs(experiment, docs, {
          file,
          jobs: opts.jobs,
          onWarnings,
          onRunProgress: progress.runProgress,
          onRunDone: progress.runDone,
          ...(observerFor ? { observerFor } : {}),
          ...(shard ? { shard } : {}),
        });
      } catch (error) {
        trace?.abort();
        throw error;
      }
      trace?.close();
      progress.stop();
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      const totalRuns = planRuns(experiment).length;
      const files: OutputFile[] = shard
        ? await shardFiles(experiment, results, shard, totalRuns, TOOL_VERSION)
        : await resultFiles(experiment, results, { png: opts.png === true, charts: opts.charts, ...(charts ? { renderer: charts } : {}) });
      replaceResultSet(lock, files);
      progress.finished(results, wallS, outDir, files.map((f) => f.path));
      // Results are written first: a failed gate is a finding to look at, not a reason to lose it.
      // A shard judges its gates on its own runs for --json and --junit, but only merge's verdict
      // over the whole sets the exit code: a shard's points may lack replications, and a failing
      // shard would stop a CI matrix (or make an Indexed Job retry its pod) before the merge.
      const judgements = shard ? judgeAssertions(experiment.assert, results.params, summarize(results)) : reportViolations(experiment, results);
      const suite = shard ? `${experiment.name} shard ${shard.index}/${shard.count}` : experiment.name;
      if (opts.junit !== undefined) writeTextFile(opts.junit, runJunit(suite, judgements));
      const scope = shard ? { ...shard, runs: results.runs.length, totalRuns } : undefined;
      if (opts.json) process.stdout.write(`${JSON.stringify(runJson(experiment.name, outDir, results.params, summarize(results), judgements, scope), null, 2)}\n`);
    } finally {
      charts?.close();
      lock.release();
    }
  });
}
