// Printing violated assertions after results are written; a violation makes the exit code 1.

import type { ExperimentResults } from '../experiment/results.js';
import { checkAssertions, formatViolation } from '../experiment/gates.js';
import type { Experiment } from '../experiment/schema.js';
import { summarize } from '../experiment/summary.js';

export function reportViolations(experiment: Experiment, results: ExperimentResults): void {
  const violations = checkAssertions(experiment.assert, results.params, summarize(results));
  for (const v of violations) process.stderr.write(`${formatViolation(v)}\n`);
  if (violations.length > 0) process.exitCode = 1;
}
