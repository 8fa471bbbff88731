// `nodeport-sim capacity`: the highest request rate at which an experiment meets an SLO.

import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { InputError } from '../../input/problems.js';
import { type CapacityResult, experimentProbe, type Probe, searchCapacity } from '../../experiment/capacity.js';
import { parseAssertion } from '../../experiment/gates.js';
import { setPath, sweepPoints } from '../../experiment/plan.js';
import { capacityProbes, checkBudget, MIN_CAPACITY_TOLERANCE } from '../../experiment/run-budget.js';
import { addLimitOptions, type LimitFlags, limitsFrom } from '../limits.js';
import { loadExperiment } from '../load-experiment.js';
import { collect, integerOption } from '../options.js';
import { printable } from '../terminal-text.js';

interface CapacityOptions extends LimitFlags {
  readonly slo: string;
  readonly min?: number;
  readonly max?: number;
  readonly tolerance: number;
  readonly seed?: number;
  readonly replications?: number;
  readonly set: string[];
  readonly quiet?: boolean;
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
const stat = (metric: string, p: Probe): string =>
  `${metric} = ${fmt(p.mean)}${Number.isFinite(p.ci95HalfWidth) ? ` ± ${fmt(p.ci95HalfWidth)} (95% CI)` : ''}, n=${p.n}`;

/** The answer on stdout, and the exit code: 0 found (or met at --max), 1 not met even at the lowest rate. */
export function formatCapacity(result: CapacityResult, slo: string, metric: string): { stdout: string; exitCode: 0 | 1 } {
  switch (result.kind) {
    case 'found':
      return {
        stdout:
          `capacity: ${rate(result.best.rate)} requests/s meets ${slo} (${stat(metric, result.best)})\n` +
          `  ${rate(result.next.rate)} requests/s does not (${stat(metric, result.next)})\n`,
        exitCode: 0,
      };
    case 'above-max':
      return { stdout: `capacity: at least ${rate(result.best.rate)} requests/s, the highest rate tried, meets ${slo} (${stat(metric, result.best)})\n`, exitCode: 0 };
    case 'below-min': {
      const lowest = result.probes.reduce((a, b) => (b.rate < a.rate ? b : a));
      return { stdout: `capacity: none; even ${rate(lowest.rate)} requests/s misses ${slo} (${stat(metric, lowest)})\n`, exitCode: 1 };
    }
  }
}

export function registerCapacity(program: Command): void {
  const command = program
    .command('capacity')
    .description('find the highest traffic.ratePerS at which the experiment meets an SLO, on the mean over replications')
    .argument('<experiment>', 'experiment file (YAML), without a sweep')
    .requiredOption('--slo <condition>', "the SLO, e.g. 'latency_p99_ms<20'")
    .option('--min <rate>', 'lowest rate to consider (requests/s)', positive('--min'))
    .option('--max <rate>', 'highest rate to consider (requests/s)', positive('--max'))
    .option('--tolerance <fraction>', 'stop when the bracket is narrower than this share of the rate', positive('--tolerance'), 0.02)
    .option('--seed <n>', 'override the experiment seed', integerOption('--seed'))
    .option('--replications <n>', 'override the number of replications', integerOption('--replications'))
    .option('--set <path=value>', 'override any experiment key, e.g. --set durationS=5 for quicker probes (repeatable)', collect, [])
    .option('-q, --quiet', 'print only the answer');
  addLimitOptions(command).action((file: string, opts: CapacityOptions) => {
      const slo = parseAssertion(opts.slo);
      if ('expected' in slo) throw new InputError([{ path: '--slo', message: `got "${opts.slo}", expected ${slo.expected}` }]);
      if (opts.min !== undefined && opts.max !== undefined && opts.min >= opts.max) {
        throw new InputError([{ path: '--min', message: `got ${opts.min}, expected less than --max ${opts.max}` }]);
      }
      if (opts.tolerance < MIN_CAPACITY_TOLERANCE) {
        throw new InputError([{ path: '--tolerance', message: `got ${opts.tolerance}, expected at least ${MIN_CAPACITY_TOLERANCE}: below that the bisection's midpoint stops moving` }]);
      }
      const { experiment, docs } = loadExperiment(file, opts);
      const limits = limitsFrom(opts);
      // The whole search is bounded: at most capacityProbes(tolerance) probes, each checked at
      // its own rate before it runs (bracketing doubles the rate up to 2^31 times).
      const probes = capacityProbes(opts.tolerance);
      const perProbe = { maxEvents: limits.maxEvents / probes, maxMemoryBytes: limits.maxMemoryBytes };
      const probe = experimentProbe(experiment, docs, slo, file);
      const measure = (r: number) => {
        checkBudget(setPath(experiment, 'traffic.ratePerS', r), perProbe, sweepPoints, `${file} (probe at ${rate(r)} requests/s, one of up to ${probes})`);
        return probe(r);
      };
      const result = searchCapacity(measure, slo, {
        start: experiment.traffic.ratePerS,
        tolerance: opts.tolerance,
        ...(opts.min === undefined ? {} : { min: opts.min }),
        ...(opts.max === undefined ? {} : { max: opts.max }),
        onProbe: (p) => {
          if (!opts.quiet) process.stderr.write(printable(`probe ${rate(p.rate)} requests/s: ${stat(slo.metric, p)} → ${p.meets ? 'meets' : 'misses'} the SLO\n`));
        },
      });
      const out = formatCapacity(result, opts.slo.replace(/\s+/g, ''), slo.metric);
      process.stdout.write(out.stdout);
      process.exitCode = out.exitCode;
    });
}
