// Results of one plan's runs done apart (in child processes, a run at a time) joined into what
// running them in one go gives: the same rows in the same order, the same notes.

import type { ExperimentResults } from './results.js';

/**
 * `parts` in plan order, each holding a run or a contiguous range of runs. Notes keep the order
 * of their first appearance, as one runner adding each run's notes to a set would.
 */
export function joinResults(parts: readonly ExperimentResults[]): ExperimentResults {
  if (parts.length === 0) throw new Error('joinResults: no parts to join');
  const [first] = parts;
  return {
    ...first,
    runs: parts.flatMap((p) => p.runs),
    pods: parts.flatMap((p) => p.pods),
    nodes: parts.flatMap((p) => p.nodes),
    timeseries: parts.flatMap((p) => p.timeseries),
    notes: [...new Set(parts.flatMap((p) => p.notes))],
  };
}
