// `nodeport-sim capacity`: the highest request rate at which an experiment meets every SLO term,
// with the probes' runs, charts and report.html written as a result set.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { InputError } from '../../input/problems.js';
import { type CapacityResult, DEFAULT_ERROR_SLO, experimentProbe, type Probe, type Slo, searchCapacity, sloTerms } from '../../experiment/capacity.js';
import { setPath, sweepPoints } from '../../experiment/plan.js';
import { capacityProbes, checkBudget, MIN_CAPACITY_TOLERANCE } from '../../experiment/run-budget.js';
import { capacityJson } from '../../experiment/verdict-json.js';
import { capacityJunit } from '../../io/junit-xml.js';
import { writeTextFile } from '../../io/write-text.js';
import { lockResultSet, replaceResultSet } from '../../io/atomic-write.js';
import { resultFiles } from '../../io/write-results.js';
import { startChartProcess } from '../chart-process.js';
import { capacityResults } from '../../experiment/capacity-results.js';
import type { ExperimentResults } from '../../experiment/results.js';
import type { Experiment } from '../../experiment/schema.js';
import type { ManifestDoc } from '../../cluster/manifest-doc.js';
import { thisProcess } from '../process-owner.js';
import { addLimitOptions, type LimitFlags, limitsFrom } from '../limits.js';
import { loadExperiment } from '../load-experiment.js';
import { collect, integerOption } from '../options.js';
import { printable } from '../terminal-text.js';

interface CapacityOptions extends LimitFlags {
  readonly slo: string[];
  readonly min?: number;
  readonly max?: number;
  readonly tolerance: number;
  readonly seed?: number;
  readonly replications?: number;
  readonly maxReplications: number;
  readonly set: string[];
  readonly quiet?: boolean;
  readonly json?: boolean;
  readonly junit?: string;
  readonly out?: string;
  readonly png?: boolean;
}

const positive =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} expects a number > 0, got "${value}"`);
    return n;
  };

const fmt = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : 'undefined');
const rate = (v: number): string => String(Number(v.toPrecision(5)));
const stats = (p: Probe): string =>
  `${p.terms.map((t) => `${t.slo.split(/[<>=!]/)[0]} = ${fmt(t.mean)}${Number.isFinite(t.ci95HalfWidth) ? ` ± ${fmt(t.ci95HalfWidth)}` : ''}`).join(', ')} (95% CI), n=${p.replications}${p.undecided ? '; still undecided at the most replications allowed, judged on the means' : ''}`;

/** `a and b (default)`: every term, the one added by default marked. */
export const sloText = (slos: readonly Slo[], defaultAdded: boolean): string =>
  slos.map((s, i) => (defaultAdded && i === slos.length - 1 ? `${s.text} (default)` : s.text)).join(' and ');

/** The human answer, and the exit code: 0 found (or met at --max), 1 not met even at the lowest rate. */
export function formatCapacity(result: CapacityResult, slo: string): { text: string; exitCode: 0 | 1 } {
  switch (result.kind) {
    case 'found':
      return {
        text: `capacity: ${rate(result.best.rate)} requests/s meets ${slo} (${stats(result.best)})\n  ${rate(result.next.rate)} requests/s does not (${stats(result.next)})\n`,
        exitCode: 0,
      };
    case 'above-max':
      return { text: `capacity: at least ${rate(result.best.rate)} requests/s, the highest rate tried, meets ${slo} (${stats(result.best)})\n`, exitCode: 0 };
    case 'below-min': {
      const lowest = result.probes.reduce((a, b) => (b.rate < a.rate ? b : a));
      return { text: `capacity: none; even ${rate(lowest.rate)} requests/s misses ${slo} (${stats(lowest)})\n`, exitCode: 1 };
    }
  }
}

export function registerCapacity(program: Command): void {
  const command = program
    .command('capacity')
    .description(`find the highest traffic.ratePerS at which the experiment meets every SLO term (and ${DEFAULT_ERROR_SLO} unless an --slo names error_share)`)
    .argument('<experiment>', 'experiment file (YAML), without a sweep')
    .option('--slo <condition>', "an SLO term, e.g. 'latency_p99_ms<20' or 'error_share<0.01' (repeatable: all must hold)", collect, [])
    .option('--min <rate>', 'lowest rate to consider (requests/s)', positive('--min'))
    .option('--max <rate>', 'highest rate to consider (requests/s)', positive('--max'))
    .option('--tolerance <fraction>', 'stop when the bracket is narrower than this share of the rate', positive('--tolerance'), 0.02)
    .option('--seed <n>', 'override the experiment seed', integerOption('--seed'))
    .option('--replications <n>', 'override the number of replications', integerOption('--replications'))
    .option('--max-replications <n>', 'replications a probe whose 95% CI straddles a threshold may grow to', integerOption('--max-replications'), 10)
    .option('--set <path=value>', 'override any experiment key, e.g. --set durationS=5 for quicker probes (repeatable)', collect, [])
    .option('-o, --out <dir>', 'output folder for the probes\' results, report.html and capacity.json, replaced whole (default: results/<experiment name>-capacity/)')
    .option('--png', 'also render every chart to PNG')
    .option('--json', 'print the answer as JSON on stdout (the human text goes to stderr)')
    .option('--junit <file>', 'write each SLO term at the answer as a JUnit XML test case')
    .option('-q, --quiet', 'print only the answer');
  addLimitOptions(command).action(async (file: string, opts: CapacityOptions) => {
    const terms = sloTerms(opts.slo);
    if ('expected' in terms) throw new InputError([{ path: '--slo', message: `got "${terms.text}", expected ${terms.expected}` }]);
    if (opts.min !== undefined && opts.max !== undefined && opts.min >= opts.max) {
      throw new InputError([{ path: '--min', message: `got ${opts.min}, expected less than --max ${opts.max}` }]);
    }
    if (opts.tolerance < MIN_CAPACITY_TOLERANCE) {
      throw new InputError([{ path: '--tolerance', message: `got ${opts.tolerance}, expected at least ${MIN_CAPACITY_TOLERANCE}: below that the bisection's midpoint stops moving` }]);
    }
    const { experiment, docs } = loadExperiment(file, opts);
    const slo = sloText(terms.slos, terms.defaultAdded);
    if (!opts.quiet) process.stderr.write(printable(`SLO: ${slo}${terms.defaultAdded ? ` — ${DEFAULT_ERROR_SLO} is required by default; give an --slo on error_share to change it` : ''}\n`));
    const outDir = opts.out ?? `results/${experiment.name}-capacity`;
    // Locked before the search, so a second search into the same folder is told at once.
    const lock = lockResultSet(resolve(outDir), thisProcess);
    // The chart libraries load in a child while the probes run.
    const charts = startChartProcess();
    try {
      // The runs each probe was judged on (its last measurement), kept for the result set.
      const judgedRuns = new Map<number, ExperimentResults>();
      const result = search(file, opts, experiment, docs, terms.slos, (r, results) => judgedRuns.set(r, results));
      const out = formatCapacity(result, slo);
      const report = { slos: terms.slos, defaultAdded: terms.defaultAdded, result, answer: out.text };
      // Written whatever the answer: a search that found nothing is a finding to look at.
      replaceResultSet(lock, await resultFiles(experiment, capacityResults(judgedRuns), { png: opts.png === true, capacity: report, renderer: charts }));
      if (!opts.quiet) process.stderr.write(printable(`wrote ${outDir}/report.html\n`));
      if (opts.junit !== undefined) writeTextFile(opts.junit, capacityJunit(experiment.name, result));
      if (opts.json) {
        process.stderr.write(out.text);
        process.stdout.write(`${JSON.stringify({ ...capacityJson(experiment.name, terms.slos, terms.defaultAdded, result), out_dir: resolve(outDir) }, null, 2)}\n`);
      } else process.stdout.write(out.text);
      process.exitCode = out.exitCode;
    } finally {
      charts.close();
      lock.release();
    }
  });
}

/** The bounded search itself: at most capacityProbes(tolerance) probes, each checked before it runs. */
function search(file: string, opts: CapacityOptions, experiment: Experiment, docs: readonly ManifestDoc[], slos: readonly Slo[], onResults: (rate: number, results: ExperimentResults) => void): CapacityResult {
  // Each probe is checked at its own rate (and its most replications) before it runs, since
  // bracketing doubles the rate up to 2^31 times.
  const limits = limitsFrom(opts);
  const probes = capacityProbes(opts.tolerance);
  const perProbe = { maxEvents: limits.maxEvents / probes, maxMemoryBytes: limits.maxMemoryBytes };
  const probe = experimentProbe(experiment, docs, slos, { file, maxReplications: opts.maxReplications, onResults });
  const replications = Math.max(experiment.replications, opts.maxReplications);
  const measure = (r: number) => {
    const atRate = setPath(setPath(experiment, 'traffic.ratePerS', r), 'replications', replications);
    checkBudget(atRate, perProbe, sweepPoints, `${file} (probe at ${rate(r)} requests/s, one of up to ${probes})`);
    return probe(r);
  };
  return searchCapacity(measure, {
    start: experiment.traffic.ratePerS,
    tolerance: opts.tolerance,
    ...(opts.min === undefined ? {} : { min: opts.min }),
    ...(opts.max === undefined ? {} : { max: opts.max }),
    onProbe: (p) => {
      if (!opts.quiet) process.stderr.write(printable(`probe ${rate(p.rate)} requests/s: ${stats(p)} → ${p.meets ? 'meets' : 'misses'} the SLO\n`));
    },
  });
}
