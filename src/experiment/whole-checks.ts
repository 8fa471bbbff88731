// The checks of the experiment file's list-valued keys, each item reported at its own path:
// `sweep` (dotted paths to lists of values), `events` (cluster changes) and `assert` (gates).

import { didYouMean } from '../input/did-you-mean.js';
import type { Segment } from '../input/yaml-lines.js';
import { EVENT_ACTIONS } from '../sim/changes.js';
import { isIntOrPercent } from '../sim/rollout.js';
import { type Check, int, isObject, num, show, str } from './checks.js';
import type { CheckContext } from './description-kit.js';
import { parseAssertion } from './gates.js';

export function checkSweep(sweep: unknown, at: readonly Segment[], context: CheckContext): void {
  if (!isObject(sweep)) {
    context.add(at, `expected a mapping of dotted paths to lists of values, got ${show(sweep)}`);
    return;
  }
  for (const [path, values] of Object.entries(sweep)) {
    if (!Array.isArray(values) || values.length === 0) {
      context.add([...at, path], `expected a non-empty list of values, got ${show(values)}`);
      continue;
    }
    if (!context.sweepablePaths.includes(path)) {
      const hint = didYouMean(path, context.sweepablePaths);
      context.add([...at, path], `is not a key that can be swept${hint ? ` (did you mean ${hint}?)` : ''}`);
      continue;
    }
    values.forEach((v, i) => {
      const problem = context.checkPath(path, v);
      if (problem) context.add([...at, path, i], problem);
    });
  }
}

export function checkAssert(asserts: unknown, at: readonly Segment[], context: CheckContext): void {
  if (!Array.isArray(asserts)) {
    context.add(at, `expected a list of conditions such as "latency_p99_ms < 20", got ${show(asserts)}`);
    return;
  }
  asserts.forEach((a, i) => {
    const parsed = parseAssertion(a);
    if ('expected' in parsed) context.add([...at, i], `got ${show(a)}, expected ${parsed.expected}`);
  });
}

/** A Deployment strategy's maxSurge / maxUnavailable. */
const intOrPercent: Check<number | string> = (v) => (isIntOrPercent(v) ? null : 'a pod count (an integer >= 0) or a percentage such as "25%"');

interface EventField {
  readonly check: Check<unknown>;
  readonly required?: boolean;
}

/** Each event's own keys and checks, beside `atS` and `action` (see sim/changes.ts). */
const EVENT_FIELDS: Readonly<Record<(typeof EVENT_ACTIONS)[number], Readonly<Record<string, EventField>>>> = {
  'kill-pod': { pod: { check: str, required: true }, restartAfterS: { check: num(0) } },
  'delete-pod': { pod: { check: str, required: true } },
  scale: { deployment: { check: str, required: true }, replicas: { check: int(0, 100_000), required: true } },
  'rolling-restart': { deployment: { check: str, required: true }, maxSurge: { check: intOrPercent }, maxUnavailable: { check: intOrPercent } },
  'fail-node': { node: { check: str, required: true } },
  'withdraw-node': { node: { check: str, required: true } },
  'flap-readiness': { pod: { check: str, required: true }, periodS: { check: num(0, true) }, count: { check: int(1, 10_000) } },
};

function checkEvent(e: unknown, at: readonly Segment[], context: CheckContext): void {
  if (!isObject(e)) {
    context.add(at, `expected {atS, action, ...}, got ${show(e)}`);
    return;
  }
  const atS = num(0)(e.atS);
  if (atS !== null) context.add([...at, 'atS'], `got ${show(e.atS)}, expected ${atS}`);
  const action = e.action;
  if (typeof action !== 'string' || !Object.hasOwn(EVENT_FIELDS, action)) {
    context.add([...at, 'action'], `got ${show(action)}, expected one of ${EVENT_ACTIONS.join(', ')}`);
    return;
  }
  const fields = EVENT_FIELDS[action as (typeof EVENT_ACTIONS)[number]];
  for (const [key, field] of Object.entries(fields)) {
    if (!Object.hasOwn(e, key)) {
      if (field.required) context.add([...at, key], `is required for ${action}`);
      continue;
    }
    const expected = field.check(e[key]);
    if (expected !== null) context.add([...at, key], `got ${show(e[key])}, expected ${expected}`);
  }
  for (const key of Object.keys(e)) {
    if (key === 'atS' || key === 'action' || Object.hasOwn(fields, key)) continue;
    const hint = didYouMean(key, Object.keys(fields));
    context.add([...at, key], `unknown key for ${action} (${hint ? `did you mean ${hint}? ` : ''}expected ${Object.keys(fields).join(', ')})`);
  }
}

export function checkEventList(events: unknown, at: readonly Segment[], context: CheckContext): void {
  if (!Array.isArray(events)) {
    context.add(at, `expected a list of {atS, action, ...}, got ${show(events)}`);
    return;
  }
  events.forEach((e, i) => checkEvent(e, [...at, i], context));
}
