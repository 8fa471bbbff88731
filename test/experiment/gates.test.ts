import { describe, expect, it } from 'vitest';
import { checkAssertions, formatViolation, holds, judgeAssertions, parseAssertion, verdictOf } from '../../src/experiment/gates.js';
import { validateExperiment } from '../../src/experiment/schema.js';

describe('parseAssertion', () => {
  it.each([
    ['latency_p99_ms < 20', { metric: 'latency_p99_ms', op: '<', threshold: 20 }],
    ['  timeout<=0 ', { metric: 'timeout', op: '<=', threshold: 0 }],
    ['balance_jain >= 0.95', { metric: 'balance_jain', op: '>=', threshold: 0.95 }],
    ['hops_mean>1', { metric: 'hops_mean', op: '>', threshold: 1 }],
    ['queue_full == 0', { metric: 'queue_full', op: '==', threshold: 0 }],
    ['cross_node_share != 1e-3', { metric: 'cross_node_share', op: '!=', threshold: 0.001 }],
  ])('reads "%s"', (text, expected) => {
    expect(parseAssertion(text)).toEqual(expected);
  });

  it.each(['latency_p99_ms', 'latency_p99_ms =< 20', '< 20', 'latency_p99_ms < fast', 'latency_p99_ms < 20 ms'])('rejects "%s"', (text) => {
    expect(parseAssertion(text)).toHaveProperty('expected');
  });
});

describe('holds', () => {
  it('applies each operator as written, and never passes an undefined mean', () => {
    const table: [Parameters<typeof holds>[0], number, number, boolean][] = [
      ['<', 1, 2, true], ['<', 2, 2, false], ['<=', 2, 2, true], ['>', 3, 2, true], ['>', 2, 2, false],
      ['>=', 2, 2, true], ['==', 2, 2, true], ['==', 2.1, 2, false], ['!=', 2.1, 2, true], ['!=', Number.NaN, 2, false],
    ];
    for (const [op, v, t, want] of table) expect(holds(op, v, t), `${v} ${op} ${t}`).toBe(want);
  });
});

describe('assert in the experiment file', () => {
  it('is validated up front, each entry at its dotted path with a clear message', () => {
    const { experiment, issues } = validateExperiment({ name: 'x', assert: ['latency_p99_ms < 20', 'latency_p99 < 20', 'ok ~ 1', 7] });
    expect(experiment).toBeUndefined();
    expect(issues.map((i) => i.path)).toEqual(['assert[1]', 'assert[2]', 'assert[3]']);
    expect(issues[0].message).toBe('got "latency_p99 < 20", expected a metric column of runs.csv on the left (did you mean latency_p99_ms?)');
    expect(issues[1].message).toMatch(/op one of < <= > >= == !=/);
  });

  it('must be a list', () => {
    expect(validateExperiment({ name: 'x', assert: 'latency_p99_ms < 20' }).issues[0].path).toBe('assert');
  });
});

describe('checkAssertions', () => {
  const summary = [
    { 'proxy.mode': 'iptables', metric: 'latency_p99_ms', mean: 12, ci95_half_width: 0.5, n: 5 },
    { 'proxy.mode': 'ipvs', metric: 'latency_p99_ms', mean: 25, ci95_half_width: 1.25, n: 5 },
    { 'proxy.mode': 'iptables', metric: 'timeout', mean: 0, ci95_half_width: 0, n: 5 },
    { 'proxy.mode': 'ipvs', metric: 'timeout', mean: Number.NaN, ci95_half_width: Number.NaN, n: 0 },
  ];
  it("reports each point whose mean breaks a condition, with the point's values and the CI", () => {
    const v = checkAssertions(['latency_p99_ms < 20', 'timeout == 0'], ['proxy.mode'], summary);
    expect(v.map(formatViolation)).toEqual([
      'assert[0] latency_p99_ms < 20 fails at proxy.mode=ipvs: mean 25 ± 1.25 (n=5)',
      'assert[1] timeout == 0 fails at proxy.mode=ipvs: mean undefined (n=0)',
    ]);
  });

  it('finds nothing when every point meets every condition', () => {
    expect(checkAssertions(['latency_p99_ms <= 25'], ['proxy.mode'], summary)).toEqual([]);
  });
});

describe('verdicts on the 95% confidence interval', () => {
  const lt20 = { op: '<' as const, threshold: 20 };
  it('passes or fails only when the whole interval is on one side of the threshold', () => {
    expect(verdictOf(lt20, 19, 0.5)).toBe('pass');
    expect(verdictOf(lt20, 21, 0.5)).toBe('fail');
    // 19 ± 2 = [17, 21] and 21 ± 2 = [19, 23] both contain 20.
    expect(verdictOf(lt20, 19, 2)).toBe('undecided');
    expect(verdictOf(lt20, 21, 2)).toBe('undecided');
    expect(verdictOf({ op: '>=', threshold: 0.999 }, 0.9995, 0.001)).toBe('undecided');
  });

  it('lets the mean decide when there is no interval (one replication) and for == / !=', () => {
    expect(verdictOf(lt20, 19, Number.NaN)).toBe('pass');
    expect(verdictOf(lt20, 21, Number.NaN)).toBe('fail');
    expect(verdictOf({ op: '==', threshold: 0 }, 0, 3)).toBe('pass');
    expect(verdictOf(lt20, Number.NaN, 1)).toBe('fail');
  });

  it('judges error_share like any runs.csv column, and says which verdicts are undecided', () => {
    const summary = [
      { metric: 'error_share', mean: 0.0004, ci95_half_width: 0.0009, n: 3 },
      { metric: 'latency_p99_ms', mean: 4, ci95_half_width: 0.1, n: 3 },
    ];
    const j = judgeAssertions(['error_share < 0.001', 'latency_p99_ms < 20'], [], summary);
    expect(j.map((x) => [x.verdict, x.meanHolds])).toEqual([
      ['undecided', true],
      ['pass', true],
    ]);
    expect(checkAssertions(['error_share < 0.001'], [], summary)).toEqual([]);
    expect(formatViolation(j[0])).toBe(
      'assert[0] error_share < 0.001 is undecided: mean 0.0004 ± 0.0009 (n=3); undecided: the 95% CI straddles the threshold, more replications would decide',
    );
  });
});
