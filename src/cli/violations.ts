// Printing violated and undecided assertions after results are written; a violation (a mean that
// breaks its condition) makes the exit code 1, an undecided one that holds on its mean is only shown.

import type { ExperimentResults } from '../experiment/results.js';
import { formatViolation, type Judgement, judgeAssertions } from '../experiment/gates.js';
import type { Experiment } from '../experiment/schema.js';
import { summarize } from '../experiment/summary.js';

export function reportViolations(experiment: Experiment, results: ExperimentResults): Judgement[] {
  const judgements = judgeAssertions(experiment.assert, results.params, summarize(results));
  const shown = judgements.filter((j) => !j.meanHolds || j.verdict === 'undecided');
  for (const v of shown) process.stderr.write(`${formatViolation(v)}\n`);
  if (judgements.some((j) => !j.meanHolds)) process.exitCode = 1;
  return judgements;
}
