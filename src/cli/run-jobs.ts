// `run --jobs N`: an experiment's runs spread over N child processes (never threads: each run
// keeps a whole process and heap to itself), handed out one at a time to whichever child is
// free, so a sweep whose points differ in cost still keeps every core busy. The runs' results
// are joined in plan order, which makes the files identical to those of `--jobs 1`.

import { fork } from 'node:child_process';
import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { joinResults } from '../experiment/join-results.js';
import type { ExperimentResults } from '../experiment/results.js';
import { type RunnerOptions, runExperiment, selectRuns } from '../experiment/runner.js';
import type { Experiment } from '../experiment/schema.js';
import { InputError } from '../input/problems.js';
import type { FromChild, ToChild } from './run-child.js';

export interface JobsOptions extends Pick<RunnerOptions, 'file' | 'shard' | 'onStart' | 'onRunDone' | 'onRunProgress' | 'onWarnings' | 'observerFor'> {
  readonly jobs: number;
}

/** Runs in this process when one job or one run leaves nothing to share out. */
export async function runWithJobs(experiment: Experiment, docs: readonly ManifestDoc[], options: JobsOptions): Promise<ExperimentResults> {
  const { jobs, ...runner } = options;
  const plan = selectRuns(experiment, runner);
  // A request observer (a trace) streams from this process: it keeps every run here.
  if (jobs <= 1 || plan.length <= 1 || options.observerFor !== undefined) return runExperiment(experiment, docs, runner);
  // Each child warns about the clusters it builds; each warning is shown once.
  const warned = new Set<string>();
  options.onStart?.(plan.length);
  const byRun = new Map(plan.map((p) => [p.run, p]));
  const planned = (run: number) => {
    const p = byRun.get(run);
    if (p === undefined) throw new Error(`run --jobs: a child answered for run ${run}, which is not in the plan`);
    return p;
  };
  const parts = new Map<number, ExperimentResults>();
  const queue = plan.map((p) => p.run);
  const setup: ToChild = { kind: 'setup', experiment, docs, ...(options.file === undefined ? {} : { file: options.file }), ...(options.shard ? { shard: options.shard } : {}) };

  await new Promise<void>((resolve, reject) => {
    const children = Array.from({ length: Math.min(jobs, plan.length) }, () =>
      fork(new URL('./run-child.js', import.meta.url), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const c of children) c.kill();
      reject(error);
    };
    /** The run each child is on, if any. */
    const busy = new Map<(typeof children)[number], number>();
    const next = (child: (typeof children)[number]) => {
      const run = queue.shift();
      if (run === undefined) {
        busy.delete(child);
        child.disconnect();
        return;
      }
      busy.set(child, run);
      child.send({ kind: 'run', run } satisfies ToChild);
    };
    for (const child of children) {
      child.on('message', (message: FromChild) => {
        if (message.kind === 'progress') options.onRunProgress?.(planned(message.run), message.fraction);
        else if (message.kind === 'warnings') {
          const lines = message.lines.filter((w) => !warned.has(w));
          for (const w of lines) warned.add(w);
          if (lines.length > 0) options.onWarnings?.(lines);
        }
        else if (message.kind === 'input-error') fail(new InputError(message.issues));
        else {
          parts.set(message.run, message.results);
          options.onRunDone?.({ done: parts.size, total: plan.length, run: planned(message.run), metrics: message.metrics });
          if (parts.size === plan.length) resolve();
          next(child);
        }
      });
      child.on('error', fail);
      child.on('exit', (code, signal) => {
        const run = busy.get(child);
        if (run !== undefined || code !== 0) fail(new Error(`run --jobs: a child process ended (${signal ?? `exit code ${code}`})${run === undefined ? '' : ` during run ${run}`}`));
      });
      child.send(setup);
      next(child);
    }
  });
  return joinResults(
    plan.map((p) => {
      const part = parts.get(p.run);
      if (part === undefined) throw new Error(`run --jobs: no results for run ${p.run}`);
      return part;
    }),
  );
}
