// Capacity: the highest traffic.ratePerS at which an SLO (`latency_p99_ms < 20`) holds on the
// mean over replications, by bracketing then bisection. Assumes the SLO holds at low rates and
// fails at high ones; each probe reuses the experiment's seeds, so neighbouring rates see the
// same random streams and the metric moves smoothly with the rate.

import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { InputError } from '../input/problems.js';
import { type Assertion, holds } from './gates.js';
import { setPath } from './plan.js';
import { runExperiment } from './runner.js';
import type { Experiment } from './schema.js';
import { type MeanCi, meanCi } from './summary.js';

export interface Probe extends MeanCi {
  readonly rate: number;
  readonly meets: boolean;
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

export function searchCapacity(measure: (rate: number) => MeanCi, slo: Assertion, options: SearchOptions): CapacityResult {
  const probes: Probe[] = [];
  const probe = (rate: number): Probe => {
    const m = measure(rate);
    const p = { rate, ...m, meets: holds(slo.op, m.mean, slo.threshold) };
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

/** Runs the experiment's replications at a rate and summarizes the SLO's metric over them. */
export function experimentProbe(experiment: Experiment, docs: readonly ManifestDoc[], slo: Assertion, file?: string): (rate: number) => MeanCi {
  if (Object.keys(experiment.sweep).length > 0) {
    throw new InputError([{ file, path: 'sweep', message: `capacity searches one configuration, got a sweep over ${Object.keys(experiment.sweep).join(', ')}; fix those values or add --set 'sweep={}'` }]);
  }
  return (rate) => {
    const results = runExperiment(setPath(experiment, 'traffic.ratePerS', rate), docs, file === undefined ? {} : { file });
    return meanCi(results.runs.map((r) => r[slo.metric] as number));
  };
}
