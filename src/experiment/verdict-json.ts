// The machine-readable verdicts `run --json` and `capacity --json` print: plain objects with
// snake_case keys as in the CSV files (JSON turns an undefined metric, NaN, into null).

import type { CapacityResult, Probe, Slo } from './capacity.js';
import type { Judgement } from './gates.js';
import type { Row } from './results.js';

const probeJson = (p: Probe) => ({
  rate_per_s: p.rate,
  meets: p.meets,
  undecided: p.undecided,
  replications: p.replications,
  terms: p.terms.map((t) => ({ slo: t.slo, mean: t.mean, ci95_half_width: t.ci95HalfWidth, n: t.n, verdict: t.verdict })),
});

export function capacityJson(experiment: string, slos: readonly Slo[], defaultAdded: boolean, result: CapacityResult) {
  const best = result.kind === 'below-min' ? null : result.best;
  return {
    experiment,
    slo: slos.map((s) => s.text),
    default_error_slo_added: defaultAdded,
    result: result.kind,
    capacity_per_s: best === null ? null : best.rate,
    best: best === null ? null : probeJson(best),
    next: result.kind === 'found' ? probeJson(result.next) : null,
    probes: result.probes.map(probeJson),
  };
}

const judgementJson = (j: Judgement) => ({
  assertion: j.assertion,
  point: j.point,
  verdict: j.verdict,
  mean_holds: j.meanHolds,
  mean: j.mean,
  ci95_half_width: j.ci95HalfWidth,
  n: j.n,
});

/** Which shard a `run --shard` verdict covers: its gates are judged on its own runs only. */
export interface ShardScope {
  readonly index: number;
  readonly count: number;
  readonly runs: number;
  readonly totalRuns: number;
}

/**
 * Per sweep point, every metric's mean and CI half-width (from summary rows), with the gates'
 * verdicts; a shard's says which shard it is and how many of the runs it holds.
 */
export function runJson(experiment: string, outDir: string, params: readonly string[], summary: readonly Row[], judgements: readonly Judgement[], shard?: ShardScope) {
  const points = new Map<string, { params: Row; metrics: Record<string, { mean: number; ci95_half_width: number; n: number }> }>();
  for (const row of summary) {
    const key = JSON.stringify(params.map((p) => row[p]));
    let point = points.get(key);
    if (!point) {
      point = { params: Object.fromEntries(params.map((p) => [p, row[p]])), metrics: {} };
      points.set(key, point);
    }
    point.metrics[row.metric as string] = { mean: row.mean as number, ci95_half_width: row.ci95_half_width as number, n: row.n as number };
  }
  return {
    experiment,
    ...(shard === undefined ? {} : { shard: { index: shard.index, count: shard.count, runs: shard.runs, total_runs: shard.totalRuns } }),
    out_dir: outDir,
    passed: judgements.every((j) => j.meanHolds),
    assertions: judgements.map(judgementJson),
    points: [...points.values()],
  };
}
