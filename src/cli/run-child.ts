// A child process of `run --jobs N`: takes the experiment once, then runs one planned run at a
// time as the parent hands them out, answering with that run's results and progress inside it.
// Messages travel with Node's structured clone ('advanced' serialization), so every double,
// NaN and -0 arrives exactly as computed and the joined files match `--jobs 1` byte for byte.

import type { ManifestDoc } from '../cluster/manifest-doc.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { ResolvedCluster } from '../experiment/resolve.js';
import type { ExperimentResults } from '../experiment/results.js';
import { runExperiment } from '../experiment/runner.js';
import type { Experiment } from '../experiment/schema.js';
import type { Shard } from '../experiment/shard.js';
import { InputError, type InputIssue } from '../input/problems.js';

export type ToChild =
  | { readonly kind: 'setup'; readonly experiment: Experiment; readonly docs: readonly ManifestDoc[]; readonly file?: string; readonly shard?: Shard }
  | { readonly kind: 'run'; readonly run: number };
// The parent ends a child by closing the channel; with nothing else pending, it then exits.

export type FromChild =
  | { readonly kind: 'progress'; readonly run: number; readonly fraction: number }
  | { readonly kind: 'result'; readonly run: number; readonly results: ExperimentResults; readonly metrics: RunMetrics }
  | { readonly kind: 'input-error'; readonly issues: readonly InputIssue[] }
  | { readonly kind: 'warnings'; readonly lines: readonly string[] };

const send = (message: FromChild): void => {
  process.send?.(message);
};

let setup: Extract<ToChild, { kind: 'setup' }> | undefined;
const clusters = new Map<string, ResolvedCluster>();

process.on('message', (message: ToChild) => {
  if (message.kind === 'setup') {
    setup = message;
    return;
  }
  if (!setup) throw new Error('run child: a run arrived before the experiment');
  const { experiment, docs, file, shard } = setup;
  try {
    let metrics: RunMetrics | undefined;
    const results = runExperiment(experiment, docs, {
      ...(file === undefined ? {} : { file }),
      ...(shard === undefined ? {} : { shard }),
      runs: new Set([message.run]),
      clusters,
      onWarnings: (lines) => send({ kind: 'warnings', lines }),
      onRunProgress: (planned, fraction) => send({ kind: 'progress', run: planned.run, fraction }),
      onRunDone: (p) => {
        metrics = p.metrics;
      },
    });
    if (metrics === undefined) throw new Error(`run child: run ${message.run} is not in the plan`);
    send({ kind: 'result', run: message.run, results, metrics });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    send({ kind: 'input-error', issues: error.issues });
  }
});
