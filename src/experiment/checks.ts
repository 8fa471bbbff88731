// The checks an experiment file's values pass: each returns what was expected when the value
// does not fit, else null, and carries the type a fitting value has (for the derived types).

import { DURATION_KINDS, type DurationSpec } from '../traffic/duration.js';

export interface Check<T> {
  (value: unknown): string | null;
  /** Never set: only the type of a value that passes. */
  readonly valueType?: T;
  /** The values that pass, as JSON Schema, for editors (experiment.schema.json); absent when it cannot be said. */
  readonly jsonSchema?: JsonSchema;
}

export type JsonSchema = Readonly<Record<string, unknown>>;

/** `check`, labelled with the JSON Schema of the values it passes. */
export const withSchema = <T>(check: Check<T>, jsonSchema: JsonSchema): Check<T> => Object.assign(check, { jsonSchema });

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A value as the file spells it; YAML's non-finite numbers by their YAML names (JSON has none). */
export const show = (v: unknown): string => {
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  return JSON.stringify(v) ?? String(v);
};

export const str: Check<string> = withSchema((v) => (typeof v === 'string' ? null : 'a string'), { type: 'string' });
export const bool: Check<boolean> = withSchema((v) => (typeof v === 'boolean' ? null : 'true or false'), { type: 'boolean' });
export const strList: Check<readonly string[]> = withSchema((v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'a list of strings'), {
  type: 'array',
  items: { type: 'string' },
});

export const int = (min: number, max = Number.MAX_SAFE_INTEGER): Check<number> =>
  withSchema(
    (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`),
    { type: 'integer', minimum: min, ...(max < Number.MAX_SAFE_INTEGER ? { maximum: max } : {}) },
  );

export const num = (min: number, exclusive = false): Check<number> =>
  withSchema((v) => (typeof v === 'number' && Number.isFinite(v) && (exclusive ? v > min : v >= min) ? null : `a number ${exclusive ? '>' : '>='} ${min}`), {
    type: 'number',
    ...(exclusive ? { exclusiveMinimum: min } : { minimum: min }),
  });

export const oneOf = <const V extends string>(values: readonly V[]): Check<V> =>
  withSchema((v) => (typeof v === 'string' && (values as readonly string[]).includes(v) ? null : `one of ${values.join(', ')}`), { enum: values });

export const oneOfNumbers = (values: readonly number[]): Check<number> =>
  withSchema((v) => (typeof v === 'number' && values.includes(v) ? null : `one of ${values.join(', ')}`), { enum: values });

export const nullable = <T>(check: Check<T>): Check<T | null> =>
  withSchema((v) => (v === null ? null : check(v)), { anyOf: [check.jsonSchema ?? {}, { type: 'null' }] });

/** A string matching `pattern`, described as `expected`. */
export const matching = (pattern: RegExp, expected: string): Check<string> =>
  withSchema((v) => (typeof v === 'string' && pattern.test(v) ? null : expected), { type: 'string', pattern: pattern.source });

export const portRange: Check<string> = withSchema(
  (v) => {
    const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v) : null;
    return m && +m[1] >= 1 && +m[1] <= +m[2] && +m[2] <= 65535 ? null : 'a port range such as 30000-32767';
  },
  { type: 'string', pattern: '^\\d+-\\d+$' },
);

const nonNegative = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;

// The check itself; `duration` below labels it with its JSON Schema.
const durationCheck: Check<DurationSpec> = (v) => {
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

const ms = { type: 'number', minimum: 0 };
const dist = (name: string, params: Readonly<Record<string, unknown>>) => ({
  type: 'object',
  required: ['dist', ...Object.keys(params)],
  additionalProperties: false,
  properties: { dist: { const: name }, ...params },
});

/** A duration: milliseconds as a number, or `{dist, ...Ms}` with exactly its parameters. */
export const duration: Check<DurationSpec> = withSchema(durationCheck, {
  anyOf: [
    ms,
    dist('constant', { valueMs: ms }),
    dist('uniform', { minMs: ms, maxMs: ms }),
    dist('exponential', { meanMs: { type: 'number', exclusiveMinimum: 0 } }),
    dist('lognormal', { meanMs: { type: 'number', exclusiveMinimum: 0 }, sdMs: ms }),
    dist('empirical', { valuesMs: { type: 'array', minItems: 1, items: ms } }),
  ],
});
