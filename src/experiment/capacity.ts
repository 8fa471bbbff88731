// Capacity: the highest traffic.ratePerS at which every SLO term (`latency_p99_ms < 20`,
// `error_share <= 0.001`) holds over the replications, by bracketing then bisection. Assumes the
// SLO holds at low rates and fails at high ones; each probe reuses the experiment's seeds, so
// neighbouring rates see the same random streams and the metrics move smoothly with the rate.
// A probe whose 95% interval straddles a threshold is undecided: it is run again with more
// replications, up to a limit, and only then judged on the means.

import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { InputError } from '../input/problems.js';
import { type Assertion, holds, parseAssertion, type Verdict, verdictOf } from './gates.js';
import { setPath } from './plan.js';
import type { ExperimentResults, Row } from './results.js';
import { runExperiment } from './runner.js';
import type { Experiment } from './schema.js';
import { type MeanCi, meanCi } from './summary.js';

/** One SLO term as given (`latency_p99_ms<20`), parsed. */
export interface Slo extends Assertion {
  readonly text: string;
}

/**
 * What `capacity` requires unless an --slo names error_share: at most one request in a thousand
 * fails. Latency percentiles are those of successful requests, so without this term a set-up
 * that drops a third of its requests could still "meet" a latency SLO.
 */
export const DEFAULT_ERROR_SLO = 'error_share<=0.001';

export interface TermResult extends MeanCi {
  readonly slo: string;
  readonly verdict: Verdict;
}

export interface Measurement {
  readonly meets: boolean;
  /** Some term's interval still straddled its threshold at the most replications allowed: judged on the means. */
  readonly undecided: boolean;
  readonly replications: number;
  readonly terms: readonly TermResult[];
}

export interface Probe extends Measurement {
  readonly rate: number;
}

export type CapacityResult =
  | { readonly kind: 'found'; readonly best: Probe; readonly next: Probe; readonly probes: readonly Probe[] }
  | { readonly kind: 'below-min'; readonly probes: readonly Probe[] }
  | { readonly kind: 'above-max'; readonly best: Probe; readonly probes: readonly Probe[] };

export interface SearchOptions {
  /** Where bracketing starts when min is not given (the experiment's own rate). */
  readonly start: number;
  readonly min?: number;
  readonly max?: number;
  /** Stop when the bracket is narrower than this fraction of the best rate. */
  readonly tolerance: number;
  readonly onProbe?: (p: Probe) => void;
}

/** Doubling or halving at most this often spans a factor of 10^9 either way. */
const MAX_STEPS = 30;

/** The SLO terms to judge: those given, plus DEFAULT_ERROR_SLO unless one of them names error_share. */
export function sloTerms(given: readonly string[]): { slos: Slo[]; defaultAdded: boolean } | { readonly index: number; readonly text: string; readonly expected: string } {
  const slos: Slo[] = [];
  for (const [index, text] of given.entries()) {
    const a = parseAssertion(text);
    if ('expected' in a) return { index, text, expected: a.expected };
    slos.push({ ...a, text: text.replace(/\s+/g, '') });
  }
  const defaultAdded = !slos.some((s) => s.metric === 'error_share');
  if (defaultAdded) slos.push({ ...(parseAssertion(DEFAULT_ERROR_SLO) as Assertion), text: DEFAULT_ERROR_SLO });
  return { slos, defaultAdded };
}

/** Every term judged on the runs' values: one failing term fails; else one straddling term leaves it undecided. */
export function judgeRuns(slos: readonly Slo[], runs: readonly Row[]): { terms: TermResult[]; verdict: Verdict; meanHolds: boolean } {
  const terms = slos.map((slo) => {
    const m = meanCi(runs.map((r) => r[slo.metric] as number));
    return { slo: slo.text, ...m, verdict: verdictOf(slo, m.mean, m.ci95HalfWidth) };
  });
  const verdict: Verdict = terms.some((t) => t.verdict === 'fail') ? 'fail' : terms.some((t) => t.verdict === 'undecided') ? 'undecided' : 'pass';
  const meanHolds = slos.every((slo, i) => holds(slo.op, terms[i].mean, slo.threshold));
  return { terms, verdict, meanHolds };
}

export function searchCapacity(measure: (rate: number) => Measurement, options: SearchOptions): CapacityResult {
  const probes: Probe[] = [];
  const probe = (rate: number): Probe => {
    const p = { rate, ...measure(rate) };
    probes.push(p);
    options.onProbe?.(p);
    return p;
  };

  let lo: Probe | undefined;
  let hi: Probe | undefined;
  const start = Math.min(Math.max(options.start, options.min ?? 0), options.max ?? Number.POSITIVE_INFINITY);
  const first = probe(options.min ?? start);
  if (first.meets) lo = first;
  else if (options.min !== undefined) return { kind: 'below-min', probes };
  else {
    hi = first;
    for (let i = 0; i < MAX_STEPS && !lo; i++) {
      const p = probe(hi.rate / 2);
      if (p.meets) lo = p;
      else hi = p;
    }
    if (!lo) return { kind: 'below-min', probes };
  }
  if (!hi) {
    const top = options.max !== undefined ? probe(options.max) : undefined;
    if (top?.meets) return { kind: 'above-max', best: top, probes };
    hi = top;
    for (let i = 0; i < MAX_STEPS && !hi; i++) {
      const p = probe(lo.rate * 2);
      if (p.meets) lo = p;
      else hi = p;
    }
    if (!hi) return { kind: 'above-max', best: lo, probes };
  }
  while (hi.rate - lo.rate > options.tolerance * lo.rate) {
    const p = probe((lo.rate + hi.rate) / 2);
    if (p.meets) lo = p;
    else hi = p;
  }
  return { kind: 'found', best: lo, next: hi, probes };
}

export interface ProbeOptions {
  readonly file?: string;
  /** Replications an undecided probe may grow to (doubling); never fewer than the experiment's own. */
  readonly maxReplications: number;
  /** Called with every set of runs a probe makes; a probe's last call holds the runs it was judged on. */
  readonly onResults?: (rate: number, results: ExperimentResults) => void;
}

/**
 * A probe over `runsAt(rate, replications)`'s rows. An interval needs two replications, so a
 * probe starts with at least two (unless `most` allows fewer); an undecided one doubles them up
 * to `most`, then is judged on the means.
 */
export function probeWith(runsAt: (rate: number, replications: number) => readonly Row[], slos: readonly Slo[], initial: number, most: number): (rate: number) => Measurement {
  return (rate) => {
    let replications = Math.min(Math.max(initial, 2), most);
    for (;;) {
      const judged = judgeRuns(slos, runsAt(rate, replications));
      const undecided = judged.verdict === 'undecided';
      if (!undecided || replications >= most) {
        return { meets: undecided ? judged.meanHolds : judged.verdict === 'pass', undecided, replications, terms: judged.terms };
      }
      replications = Math.min(replications * 2, most);
    }
  };
}

/** Runs the experiment at each probed rate (replication k keeps its seed, so added replications only narrow the spread). */
export function experimentProbe(experiment: Experiment, docs: readonly ManifestDoc[], slos: readonly Slo[], options: ProbeOptions): (rate: number) => Measurement {
  const { file } = options;
  if (Object.keys(experiment.sweep).length > 0) {
    throw new InputError([{ file, path: 'sweep', message: `capacity searches one configuration, got a sweep over ${Object.keys(experiment.sweep).join(', ')}; fix those values or add --set 'sweep={}'` }]);
  }
  const runsAt = (rate: number, replications: number) => {
    const results = runExperiment(setPath(setPath(experiment, 'traffic.ratePerS', rate), 'replications', replications), docs, file === undefined ? {} : { file });
    options.onResults?.(rate, results);
    return results.runs;
  };
  return probeWith(runsAt, slos, experiment.replications, Math.max(options.maxReplications, experiment.replications));
}
