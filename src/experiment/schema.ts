// The validator the experiment file's description (description.ts) gives: every problem
// collected with its dotted path, the value, what was expected and, when the file's text is at
// hand, the line of the offending key; then the defaults filled in.

import { didYouMean } from '../input/did-you-mean.js';
import type { InputIssue } from '../input/problems.js';
import type { Segment } from '../input/yaml-lines.js';
import { isObject, show } from './checks.js';
import { type CheckContext, type Fields, leafAt, leafPaths } from './description-kit.js';
import { EXPERIMENT, type Experiment } from './description.js';

export type { Experiment, NodeSpec } from './description.js';

/** Every leaf's dotted path, in the file's order: what `--set` may set. */
export const LEAF_PATHS: readonly string[] = leafPaths(EXPERIMENT).map(([path]) => path);

/** The paths `sweep:` may vary: every leaf but the name. */
export const SWEEPABLE_PATHS: readonly string[] = leafPaths(EXPERIMENT)
  .filter(([, leaf]) => leaf.sweepable)
  .map(([path]) => path);

/** Checks one value at a dotted path (as `--set` and `sweep` give them). */
export function checkPath(path: string, value: unknown): string | null {
  const leaf = leafAt(EXPERIMENT, path);
  if (!leaf) return 'is not a key of the experiment file';
  const expected = leaf.check(value);
  return expected === null ? null : `got ${show(value)}, expected ${expected}`;
}

/** `sweep.proxy.mode[2]` from ['sweep', 'proxy.mode', 2]. */
export const dottedPath = (segments: readonly Segment[]): string =>
  segments.reduce<string>((s, seg) => (typeof seg === 'number' ? `${s}[${seg}]` : s === '' ? seg : `${s}.${seg}`), '');

/** Checks `source` against `fields`, reporting into `context`; returns it with the defaults filled in. */
function validateFields(fields: Fields, source: Record<string, unknown>, at: readonly Segment[], context: CheckContext): Record<string, unknown> {
  for (const key of Object.keys(source)) {
    if (Object.hasOwn(fields, key)) continue;
    const hint = didYouMean(key, Object.keys(fields));
    context.add([...at, key], `unknown key${hint ? ` (did you mean ${dottedPath([...at, hint])}?)` : ''}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields)) {
    const path = [...at, key];
    const given = Object.hasOwn(source, key);
    switch (field.kind) {
      case 'leaf': {
        if (!given) {
          if (field.required) context.add(path, 'is required');
          else out[key] = field.default;
          continue;
        }
        const expected = field.check(source[key]);
        if (expected !== null) context.add(path, `got ${show(source[key])}, expected ${expected}`);
        out[key] = source[key];
        continue;
      }
      case 'section': {
        // A section left out, or left empty (`traffic:` alone reads as null), takes every default.
        const value = (given ? source[key] : undefined) ?? {};
        if (isObject(value)) out[key] = validateFields(field.fields, value, path, context);
        else context.add(path, `expected a mapping, got ${show(value)}`);
        continue;
      }
      case 'whole': {
        const value = (given ? source[key] : undefined) ?? field.default;
        field.validate(value, path, context);
        out[key] = value;
        continue;
      }
    }
  }
  return out;
}

/** The line in the file of the value at a path, when known (see input/yaml-lines.ts). */
export type LocateLine = (at: readonly Segment[]) => number | undefined;

/**
 * Validates a parsed experiment file and fills in the defaults; returns every issue found.
 * `locate` (from the file's text) puts the line of the offending key on each issue.
 */
export function validateExperiment(raw: unknown, file?: string, locate?: LocateLine): { experiment?: Experiment; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const context: CheckContext = {
    add(at, message) {
      const line = locate?.(at);
      issues.push({ file, ...(line === undefined ? {} : { line }), path: dottedPath(at), message });
    },
    checkPath,
    sweepablePaths: SWEEPABLE_PATHS,
  };
  if (!isObject(raw)) {
    context.add([], `expected a mapping of experiment keys, got ${show(raw)}`);
    return { issues };
  }
  const experiment = validateFields(EXPERIMENT, raw, [], context) as unknown as Experiment;
  return issues.length > 0 ? { issues } : { experiment, issues };
}
