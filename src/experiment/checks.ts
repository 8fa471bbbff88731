// The checks an experiment file's values pass: each returns what was expected when the value
// does not fit, else null, and carries the type a fitting value has (for the derived types).

import { DURATION_KINDS, type DurationSpec } from '../traffic/duration.js';

export interface Check<T> {
  (value: unknown): string | null;
  /** Never set: only the type of a value that passes. */
  readonly valueType?: T;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

export const str: Check<string> = (v) => (typeof v === 'string' ? null : 'a string');
export const bool: Check<boolean> = (v) => (typeof v === 'boolean' ? null : 'true or false');
export const strList: Check<readonly string[]> = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'a list of strings');

export const int = (min: number, max = Number.MAX_SAFE_INTEGER): Check<number> => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`;

export const num = (min: number, exclusive = false): Check<number> => (v) =>
  typeof v === 'number' && Number.isFinite(v) && (exclusive ? v > min : v >= min) ? null : `a number ${exclusive ? '>' : '>='} ${min}`;

export const oneOf = <const V extends string>(values: readonly V[]): Check<V> => (v) =>
  typeof v === 'string' && (values as readonly string[]).includes(v) ? null : `one of ${values.join(', ')}`;

export const nullable = <T>(check: Check<T>): Check<T | null> => (v) => (v === null ? null : check(v));

/** A string matching `pattern`, described as `expected`. */
export const matching = (pattern: RegExp, expected: string): Check<string> => (v) => (typeof v === 'string' && pattern.test(v) ? null : expected);

export const portRange: Check<string> = (v) => {
  const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v) : null;
  return m && +m[1] >= 1 && +m[1] <= +m[2] && +m[2] <= 65535 ? null : 'a port range such as 30000-32767';
};

const nonNegative = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

/** A duration: milliseconds as a number, or `{dist, ...Ms}` with exactly its parameters. */
export const duration: Check<DurationSpec> = (v) => {
  const expected = `milliseconds as a number >= 0, or {dist: ${DURATION_KINDS.join('|')}, ...} with its parameters in ms`;
  if (typeof v === 'number') return nonNegative(v) ? null : expected;
  if (!isObject(v)) return expected;
  const keys = Object.keys(v).sort().join(',');
  switch (v.dist) {
    case 'constant':
      return keys === 'dist,valueMs' && nonNegative(v.valueMs) ? null : '{dist: constant, valueMs: >= 0}';
    case 'uniform':
      return keys === 'dist,maxMs,minMs' && nonNegative(v.minMs) && nonNegative(v.maxMs) && v.maxMs >= v.minMs
        ? null
        : '{dist: uniform, minMs, maxMs} with 0 <= minMs <= maxMs';
    case 'exponential':
      return keys === 'dist,meanMs' && nonNegative(v.meanMs) && v.meanMs > 0 ? null : '{dist: exponential, meanMs: > 0}';
    case 'lognormal':
      return keys === 'dist,meanMs,sdMs' && nonNegative(v.meanMs) && v.meanMs > 0 && nonNegative(v.sdMs)
        ? null
        : '{dist: lognormal, meanMs: > 0, sdMs: >= 0}';
    case 'empirical':
      return keys === 'dist,valuesMs' && Array.isArray(v.valuesMs) && v.valuesMs.length > 0 && v.valuesMs.every(nonNegative)
        ? null
        : '{dist: empirical, valuesMs: [a non-empty list of numbers >= 0]}';
    default:
      return expected;
  }
};
