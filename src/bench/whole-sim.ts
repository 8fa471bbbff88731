// The whole simulator on experiment files: simulated requests per wall second, as a user runs it
// (cluster build, proxy compiles, the run), without writing results.

import { runExperiment } from '../experiment/runner.js';
import { validateExperiment } from '../experiment/schema.js';
import { applySets } from '../cli/commands/run.js';
import { manifestPaths, readExperimentFile } from '../io/read-experiment.js';
import { readManifestFiles } from '../io/read-manifests.js';

export interface WholeSimFigures {
  readonly requests: number;
  readonly wallS: number;
  readonly requestsPerS: number;
  readonly events: number;
  readonly meanLatencyMs: number;
  readonly rulesWalkedMean: number;
}

export function benchWholeSim(file: string, sets: readonly string[]): WholeSimFigures {
  const { experiment, issues } = validateExperiment(applySets(readExperimentFile(file), sets), file);
  if (!experiment) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  const docs = readManifestFiles(manifestPaths(file, experiment.cluster.manifests));
  const t0 = process.hrtime.bigint();
  const results = runExperiment(experiment, docs);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const sum = (k: string) => results.runs.reduce((a, r) => a + (r[k] as number), 0);
  const requests = sum('requests');
  return {
    requests,
    wallS,
    requestsPerS: requests / wallS,
    events: sum('events'),
    meanLatencyMs: sum('latency_mean_ms') / results.runs.length,
    rulesWalkedMean: sum('rules_walked_mean') / results.runs.length,
  };
}
