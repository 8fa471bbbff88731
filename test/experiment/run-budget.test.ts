import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepPoints } from '../../src/experiment/plan.js';
import { budgetIssues, capacityProbes, DEFAULT_LIMITS, estimateExperiment, MIN_CAPACITY_TOLERANCE } from '../../src/experiment/run-budget.js';
import type { Experiment } from '../../src/experiment/schema.js';

const committed = readdirSync('results').map((name) => join('results', name));
const experimentOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'experiment.resolved.json'), 'utf8')) as Experiment;

/**
 * What a committed folder ran: its experiment, or, for a capacity search's folder, the experiment
 * at each probed rate with the replications that probe was judged on (its runs are those).
 */
function experimentsOf(dir: string): Experiment[] {
  const e = experimentOf(dir);
  if (!existsSync(join(dir, 'capacity.json'))) return [e];
  const { probes } = JSON.parse(readFileSync(join(dir, 'capacity.json'), 'utf8')) as { probes: { rate_per_s: number; replications: number }[] };
  const judged = new Map(probes.map((p) => [p.rate_per_s, p.replications]));
  return [...judged].map(([rate, replications]) => ({ ...e, traffic: { ...e.traffic, ratePerS: rate }, replications }));
}

/** One CSV line's cells (RFC 4180 quoting). */
const cells = (line: string): string[] => [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].slice(0, -1).map((m) => m[1]);

/** The `events` column of a committed runs.csv, summed: what the runs really simulated. */
function simulatedEvents(dir: string): number {
  const [head, ...rows] = readFileSync(join(dir, 'runs.csv'), 'utf8').trimEnd().split('\n');
  const at = cells(head).indexOf('events');
  return rows.reduce((sum, row) => sum + Number(cells(row)[at]), 0);
}

describe('run budget', () => {
  it.each(committed)('estimates the events of %s within 10 %, or above them where requests are refused early', (dir) => {
    const actual = simulatedEvents(dir);
    const events = experimentsOf(dir).reduce((sum, e) => sum + estimateExperiment(e, sweepPoints).events, 0);
    // A run whose requests are dropped at the door (a full conntrack table, a timeout) simulates
    // fewer events than its offered load; the estimate is of the offered load.
    expect(events).toBeGreaterThan(actual * 0.9);
    expect(events).toBeLessThan(actual * 5);
  });

  it.each(committed)('lets the committed experiment %s run under the default limits', (dir) => {
    for (const e of experimentsOf(dir)) expect(budgetIssues(estimateExperiment(e, sweepPoints), DEFAULT_LIMITS)).toEqual([]);
  });

  const base = experimentOf('results/default');
  const at = (changes: Record<string, unknown>): Experiment => {
    const e = structuredClone(base) as unknown as Record<string, Record<string, unknown>>;
    for (const [path, v] of Object.entries(changes)) {
      const [a, b] = path.split('.');
      if (b === undefined) (e as Record<string, unknown>)[a] = v;
      else e[a][b] = v;
    }
    return e as unknown as Experiment;
  };

  it.each([
    ['durationS', { durationS: 1e308 }, 'durationS', /unbounded \(infinite\) events.*raise --max-events/],
    ['traffic.ratePerS', { 'traffic.ratePerS': 1e308 }, 'traffic.ratePerS', /unbounded \(infinite\) events/],
    ['timeseriesBucketS', { timeseriesBucketS: 1e-9 }, 'timeseriesBucketS', /GiB of memory, over the limit of 4 GiB; change timeseriesBucketS, or raise --max-memory/],
    ['a million Services of 1,000 endpoints', { 'cluster.backgroundServices': 1e6, 'cluster.backgroundEndpointsPerService': 1000 }, 'cluster.backgroundServices', /GiB of memory/],
    ['replications', { replications: 1e6 }, 'replications', /events/],
  ])('refuses %s before simulating, naming the key to change', (_, changes, key, message) => {
    const issues = budgetIssues(estimateExperiment(at(changes), sweepPoints), DEFAULT_LIMITS, 'e.yaml');
    expect(issues.map((i) => i.path)).toContain(key);
    expect(issues.map((i) => i.message).join('\n')).toMatch(message);
  });

  it('admits a Kubernetes-sized cluster: 5,000 nodes share their 10,000 Services\' tables, and conntrack holds the connections made, not its maximum', () => {
    // `npm run bench -- big` runs this size in under 0.5 GiB (README, Performance).
    const big = at({ 'cluster.nodes': 5000, 'cluster.backgroundServices': 10_000, 'conntrack.maxEntries': 131_072 });
    expect(budgetIssues(estimateExperiment(big, sweepPoints), DEFAULT_LIMITS)).toEqual([]);
  });

  it('refuses a sweep too large to expand, without expanding it', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const huge = at({ sweep: { 'traffic.clients': values, 'pods.concurrency': values, 'traffic.ratePerS': values } });
    const never = () => {
      throw new Error('the sweep was expanded');
    };
    expect(budgetIssues(estimateExperiment(huge, never), DEFAULT_LIMITS).map((i) => i.path)).toEqual(['sweep']);
  });

  it('raising a limit admits what the default refuses', () => {
    const long = estimateExperiment(at({ 'traffic.ratePerS': 1e8 }), sweepPoints);
    expect(budgetIssues(long, DEFAULT_LIMITS)).not.toEqual([]);
    expect(budgetIssues(long, { ...DEFAULT_LIMITS, maxEvents: long.events * 1.01 })).toEqual([]);
  });

  it('bounds the probes of a capacity search: bisection of a bracket of 2 down to the tolerance', () => {
    // Bisection halves the bracket [r, 2r] until it is narrower than tolerance × r.
    expect(capacityProbes(0.02)).toBe(62 + Math.ceil(Math.log2(50)));
    expect(Number.isFinite(capacityProbes(MIN_CAPACITY_TOLERANCE))).toBe(true);
    // At the smallest tolerance the midpoint still moves: 1 + 2^-k differs from 1 for k ≤ 52.
    expect(Math.ceil(Math.log2(1 / MIN_CAPACITY_TOLERANCE))).toBeLessThan(52);
  });
});
