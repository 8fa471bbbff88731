// The experiment's `assert:` list: conditions such as `latency_p99_ms < 20`, each checked against
// every sweep point's mean over replications. A violated one makes `run` exit 1.

import { didYouMean } from '../input/did-you-mean.js';
import { RUN_METRIC_COLUMNS, type RunMetricName } from '../metrics/run-metrics.js';
import type { Row } from './results.js';

export const OPERATORS = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Assertion {
  readonly metric: RunMetricName;
  readonly op: Operator;
  readonly threshold: number;
}

const FORM = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$/;

/** An assertion, or what was expected instead (for an issue at `assert[i]`). */
export function parseAssertion(text: unknown): Assertion | { readonly expected: string } {
  const shape = `a condition "<metric> <op> <number>" with op one of ${OPERATORS.join(' ')}, e.g. "latency_p99_ms < 20"`;
  if (typeof text !== 'string') return { expected: shape };
  const m = FORM.exec(text);
  if (!m) return { expected: shape };
  const [, metric, op, value] = m;
  if (!(RUN_METRIC_COLUMNS as readonly string[]).includes(metric)) {
    const hint = didYouMean(metric, RUN_METRIC_COLUMNS);
    return { expected: `a metric column of runs.csv on the left${hint ? ` (did you mean ${hint}?)` : ', such as latency_p99_ms'}` };
  }
  const threshold = Number(value);
  if (value.trim() === '' || !Number.isFinite(threshold)) return { expected: `a finite number after ${op}, got "${value}"` };
  return { metric: metric as RunMetricName, op: op as Operator, threshold };
}

export function holds(op: Operator, value: number, threshold: number): boolean {
  // An undefined mean (no run measured the metric) satisfies nothing: it is reported, not passed.
  if (!Number.isFinite(value)) return false;
  switch (op) {
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/**
 * pass: the whole 95% CI is on the side the condition wants; fail: the whole of it is on the
 * other; undecided: it straddles the threshold, so more replications could change the answer.
 * Without a CI (one replication), or for == and !=, the mean decides alone.
 */
export type Verdict = 'pass' | 'fail' | 'undecided';

export function verdictOf(a: Pick<Assertion, 'op' | 'threshold'>, mean: number, ci95HalfWidth: number): Verdict {
  const byMean = holds(a.op, mean, a.threshold);
  if (!Number.isFinite(ci95HalfWidth) || ci95HalfWidth === 0 || a.op === '==' || a.op === '!=') return byMean ? 'pass' : 'fail';
  const low = holds(a.op, mean - ci95HalfWidth, a.threshold);
  const high = holds(a.op, mean + ci95HalfWidth, a.threshold);
  return low && high ? 'pass' : !low && !high ? 'fail' : 'undecided';
}

export interface Judgement {
  readonly index: number;
  readonly assertion: string;
  /** The sweep point's swept values. */
  readonly point: Row;
  readonly mean: number;
  readonly ci95HalfWidth: number;
  readonly n: number;
  readonly verdict: Verdict;
  /** Whether the mean meets the condition: a gate fails (exit 1) when it does not. */
  readonly meanHolds: boolean;
}

/** A judgement whose mean breaks its condition. */
export type Violation = Judgement;

/** Every (assertion, sweep point), in assertion then point order. */
export function judgeAssertions(asserts: readonly string[], params: readonly string[], summary: readonly Row[]): Judgement[] {
  return asserts.flatMap((text, index) => {
    const a = parseAssertion(text);
    if ('expected' in a) throw new Error(`assert[${index}] was not validated: ${text}`);
    return summary
      .filter((row) => row.metric === a.metric)
      .map((row) => {
        const mean = row.mean as number;
        const ci95HalfWidth = row.ci95_half_width as number;
        return {
          index,
          assertion: text.trim(),
          point: Object.fromEntries(params.map((p) => [p, row[p]])),
          mean,
          ci95HalfWidth,
          n: row.n as number,
          verdict: verdictOf(a, mean, ci95HalfWidth),
          meanHolds: holds(a.op, mean, a.threshold),
        };
      });
  });
}

/** Every (assertion, sweep point) whose mean breaks the condition, in assertion then point order. */
export function checkAssertions(asserts: readonly string[], params: readonly string[], summary: readonly Row[]): Violation[] {
  return judgeAssertions(asserts, params, summary).filter((j) => !j.meanHolds);
}

const show = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : 'undefined');

const where = (point: Row): string => (Object.keys(point).length === 0 ? '' : ` at ${Object.entries(point).map(([p, x]) => `${p}=${x}`).join(', ')}`);

/** `assert[0] latency_p99_ms < 20 fails at proxy.mode=ipvs: mean 23.1 ± 1.2 (n=5)`. */
export function formatViolation(v: Judgement): string {
  const ci = Number.isFinite(v.ci95HalfWidth) ? ` ± ${show(v.ci95HalfWidth)}` : '';
  const straddles = v.verdict === 'undecided' ? '; undecided: the 95% CI straddles the threshold, more replications would decide' : '';
  return `assert[${v.index}] ${v.assertion} ${v.meanHolds ? 'is undecided' : 'fails'}${where(v.point)}: mean ${show(v.mean)}${ci} (n=${v.n})${straddles}`;
}
