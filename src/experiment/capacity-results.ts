// A capacity search's runs as one result set: each probe's judged runs become a sweep point of
// traffic.ratePerS, so the summary, the charts and the report read them as they read a sweep.

import type { ExperimentResults, Row } from './results.js';

export const RATE = 'traffic.ratePerS';

/** The columns naming a run come first in every table; the swept rate follows them, where a sweep puts it. */
const RUN_ID = new Set(['experiment', 'run', 'replication', 'seed']);
const withRate = (columns: readonly string[]): string[] => {
  const at = columns.findIndex((c) => !RUN_ID.has(c));
  return at < 0 ? [...columns, RATE] : [...columns.slice(0, at), RATE, ...columns.slice(at)];
};

/**
 * Joins the probes' runs, one sweep point per rate in increasing rate, runs numbered afresh in
 * that order. A probe's runs are those of its last measurement (the one it was judged on).
 */
export function capacityResults(byRate: ReadonlyMap<number, ExperimentResults>): ExperimentResults {
  const rates = [...byRate.keys()].sort((a, b) => a - b);
  if (rates.length === 0) throw new Error('capacityResults: no probe ran');
  const first = byRate.get(rates[0]) as ExperimentResults;
  if (first.params.length > 0) throw new Error(`capacityResults: probes sweep ${first.params.join(', ')}`);
  const runs: Row[] = [];
  const pods: Row[] = [];
  const nodes: Row[] = [];
  const timeseries: Row[] = [];
  for (const rate of rates) {
    const r = byRate.get(rate) as ExperimentResults;
    const offset = runs.length;
    const renumber = (row: Row): Row => ({ ...row, run: offset + (row.run as number), [RATE]: rate });
    runs.push(...r.runs.map(renumber));
    pods.push(...r.pods.map(renumber));
    nodes.push(...r.nodes.map(renumber));
    timeseries.push(...r.timeseries.map(renumber));
  }
  return {
    params: [RATE],
    runColumns: withRate(first.runColumns),
    runs,
    podColumns: withRate(first.podColumns),
    pods,
    nodeColumns: withRate(first.nodeColumns),
    nodes,
    timeseriesColumns: withRate(first.timeseriesColumns),
    timeseries,
    notes: [...new Set(rates.flatMap((rate) => (byRate.get(rate) as ExperimentResults).notes))],
  };
}
