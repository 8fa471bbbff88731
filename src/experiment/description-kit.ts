// The pieces an experiment-file description is made of (a leaf, a section, a list checked as a
// whole) and what is read off one: the value type, the defaults, each leaf's dotted path.

import type { Segment } from '../input/yaml-lines.js';
import type { Check, JsonSchema } from './checks.js';

/** What a list-valued key's own check reports into. */
export interface CheckContext {
  add(at: readonly Segment[], message: string): void;
  /** The issue for `value` at a leaf's dotted path (`traffic.ratePerS`), or null when it fits. */
  checkPath(path: string, value: unknown): string | null;
  readonly sweepablePaths: readonly string[];
}

export interface Leaf<T> {
  readonly kind: 'leaf';
  readonly check: Check<T>;
  /** Absent only when the key is required. */
  readonly default?: T;
  readonly required: boolean;
  /** Whether `sweep:` may vary it (the name may not: it names the results folder). */
  readonly sweepable: boolean;
  readonly doc: string;
}

export interface Section<F extends Fields> {
  readonly kind: 'section';
  readonly fields: F;
  readonly doc: string;
}

/** A key whose value (a list or a map of lists) is checked item by item, at the items' own paths. */
export interface Whole<T> {
  readonly kind: 'whole';
  readonly validate: (value: unknown, at: readonly Segment[], context: CheckContext) => void;
  readonly default: T;
  readonly doc: string;
  /** The values that pass, as JSON Schema, for editors. */
  readonly jsonSchema: JsonSchema;
}

export type Field = Leaf<any> | Section<Fields> | Whole<any>;
export type Fields = { readonly [key: string]: Field };

/** The value type a description describes. */
export type InferFrom<F extends Fields> = {
  readonly [K in keyof F]: F[K] extends Leaf<infer T> ? T : F[K] extends Section<infer S> ? InferFrom<S> : F[K] extends Whole<infer T> ? T : never;
};

export const leaf = <T>(check: Check<T>, defaultValue: NoInfer<T>, doc: string): Leaf<T> => ({
  kind: 'leaf',
  check,
  default: defaultValue,
  required: false,
  sweepable: true,
  doc,
});

/** A key the file must give; it has no default and is not swept. */
export const required = <T>(check: Check<T>, doc: string): Leaf<T> => ({ kind: 'leaf', check, required: true, sweepable: false, doc });

export const section = <F extends Fields>(doc: string, fields: F): Section<F> => ({ kind: 'section', fields, doc });

export const whole = <T>(validate: Whole<T>['validate'], defaultValue: T, doc: string, jsonSchema: JsonSchema): Whole<T> => ({
  kind: 'whole',
  validate,
  default: defaultValue,
  doc,
  jsonSchema,
});

/** Every leaf with its dotted path, in the description's order. */
export function leafPaths(fields: Fields, prefix = ''): [string, Leaf<unknown>][] {
  return Object.entries(fields).flatMap(([key, field]): [string, Leaf<unknown>][] => {
    const path = prefix + key;
    if (field.kind === 'leaf') return [[path, field]];
    return field.kind === 'section' ? leafPaths(field.fields, `${path}.`) : [];
  });
}

/** The leaf at a dotted path, found by own properties only (`constructor` is no key). */
export function leafAt(fields: Fields, path: string): Leaf<unknown> | undefined {
  const [head, ...rest] = path.split('.');
  if (!Object.hasOwn(fields, head)) return undefined;
  const field = fields[head];
  if (rest.length === 0) return field.kind === 'leaf' ? field : undefined;
  return field.kind === 'section' ? leafAt(field.fields, rest.join('.')) : undefined;
}
