// Typed reads of untyped YAML values for one object, each mistake recorded as an InputIssue
// with the field's dotted path, so the decoder can report every problem in one pass.

import type { Protocol } from './model.js';
import type { InputIssue } from '../input/problems.js';
import { quote } from '../input/quote.js';
import { labelKey, labelValue } from './validate-names.js';

export type Json = Readonly<Record<string, unknown>>;

export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
export const PORT_MAX = 65_535;

const describe = quote;

export class FieldReader {
  readonly issues: InputIssue[] = [];
  constructor(
    readonly file: string,
    public object: string,
  ) {}

  fail(path: string, message: string): void {
    this.issues.push({ file: this.file, object: this.object, path, message });
  }

  private wrong(path: string, value: unknown, expected: string): undefined {
    this.fail(path, `Invalid value: ${describe(value)}: expected ${expected}`);
    return undefined;
  }

  private missing(path: string, expected: string): undefined {
    this.fail(path, `Required value: expected ${expected}`);
    return undefined;
  }

  map(value: unknown, path: string, required = false): Json | undefined {
    if (value === undefined || value === null) return required ? this.missing(path, 'a mapping') : undefined;
    if (typeof value !== 'object' || Array.isArray(value)) return this.wrong(path, value, 'a mapping');
    return value as Json;
  }

  list(value: unknown, path: string, required = false): readonly unknown[] | undefined {
    if (value === undefined || value === null) return required ? this.missing(path, 'a list') : undefined;
    if (!Array.isArray(value)) return this.wrong(path, value, 'a list');
    return value;
  }

  str(value: unknown, path: string, required = false): string | undefined {
    if (value === undefined || value === null) return required ? this.missing(path, 'a string') : undefined;
    if (typeof value !== 'string') return this.wrong(path, value, 'a string');
    if (required && value === '') return this.missing(path, 'a non-empty string');
    return value;
  }

  bool(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') return this.wrong(path, value, 'true or false');
    return value;
  }

  int(value: unknown, path: string, min: number, max: number, required = false): number | undefined {
    const expected = `an integer between ${min} and ${max}`;
    if (value === undefined || value === null) return required ? this.missing(path, expected) : undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.wrong(path, value, expected);
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[], fallback: T): T {
    if (value === undefined || value === null || value === '') return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.wrong(path, value, `one of ${allowed.join(', ')}`);
    return fallback;
  }

  /** A string → string map such as labels or a selector's matchLabels. */
  labels(value: unknown, path: string): Record<string, string> {
    const map = this.map(value, path);
    const out: Record<string, string> = {};
    if (map === undefined) return out;
    for (const [key, v] of Object.entries(map)) {
      // YAML reads `version: 1` as a number; the apiserver would reject it, and so do we.
      if (typeof v !== 'string') this.wrong(`${path}.${key}`, v, 'a string (quote numbers and booleans)');
      else out[key] = v;
    }
    return out;
  }

  /** metadata.labels or a selector: a label map whose keys and values the apiserver checks. */
  checkedLabels(value: unknown, path: string): Record<string, string> {
    const out = this.labels(value, path);
    for (const [key, v] of Object.entries(out)) {
      const badKey = labelKey(key);
      if (badKey !== undefined) this.fail(path, `Invalid value: ${quote(key)}: ${badKey}`);
      const badValue = labelValue(v);
      if (badValue !== undefined) this.fail(`${path}.${key}`, `Invalid value: ${quote(v)}: ${badValue}`);
    }
    return out;
  }
}
