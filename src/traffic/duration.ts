// Durations as users write them (milliseconds, a number or a distribution) turned into engine
// distributions over integer nanoseconds.

import { Constant, type Distribution, Empirical, Exponential, LogNormal, UniformRange } from '../engine/distributions.js';
import type { Uniform } from '../engine/random.js';

export type DurationSpec =
  | number
  | { readonly dist: 'constant'; readonly valueMs: number }
  | { readonly dist: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly dist: 'exponential'; readonly meanMs: number }
  | { readonly dist: 'lognormal'; readonly meanMs: number; readonly sdMs: number }
  | { readonly dist: 'empirical'; readonly valuesMs: readonly number[] };

export const DURATION_KINDS = ['constant', 'uniform', 'exponential', 'lognormal', 'empirical'] as const;

const NS_PER_MS = 1e6;

/** A distribution of nanoseconds (not yet rounded: callers round when scheduling). */
export function durationNs(spec: DurationSpec, source: Uniform): Distribution {
  if (typeof spec === 'number') return new Constant(spec * NS_PER_MS);
  switch (spec.dist) {
    case 'constant':
      return new Constant(spec.valueMs * NS_PER_MS);
    case 'uniform':
      return new UniformRange(spec.minMs * NS_PER_MS, spec.maxMs * NS_PER_MS, source);
    case 'exponential':
      return new Exponential(spec.meanMs * NS_PER_MS, source);
    case 'lognormal':
      return new LogNormal(spec.meanMs * NS_PER_MS, spec.sdMs * NS_PER_MS, source);
    case 'empirical':
      return new Empirical(spec.valuesMs.map((v) => v * NS_PER_MS), source);
  }
}

/** The mean of a duration in milliseconds, without drawing. */
export function meanMs(spec: DurationSpec): number {
  if (typeof spec === 'number') return spec;
  return durationNs(spec, () => 0.5).mean / NS_PER_MS;
}
