import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiment/runner.js';
import { validateExperiment } from '../../src/experiment/schema.js';
import { manifestPaths, readExperimentFile } from '../../src/io/read-experiment.js';
import { readManifestFiles } from '../../src/io/read-manifests.js';
import { resultFiles } from '../../src/io/write-results.js';
import { applySets } from '../../src/cli/commands/run.js';

const FILE = 'experiments/default.yaml';

async function filesFor(sets: string[]): Promise<Map<string, string>> {
  const { experiment, issues } = validateExperiment(applySets(readExperimentFile(FILE), ['durationS=2', 'replications=2', ...sets]), FILE);
  expect(issues).toEqual([]);
  if (!experiment) throw new Error('unreachable');
  const docs = readManifestFiles(manifestPaths(FILE, experiment.cluster.manifests));
  const files = await resultFiles(experiment, runExperiment(experiment, docs));
  return new Map(files.map((f) => [f.path, String(f.content)]));
}

describe('determinism', () => {
  it('gives byte-identical result files for the same experiment and seed', async () => {
    const a = await filesFor([]);
    const b = await filesFor([]);
    expect([...a.keys()]).toContain('runs.csv');
    expect([...a.keys()].some((k) => k.endsWith('.svg'))).toBe(true);
    for (const [path, content] of a) expect(b.get(path), path).toBe(content);
  });

  it('gives different numbers for another seed', async () => {
    const a = await filesFor(['seed=1']);
    const b = await filesFor(['seed=2']);
    const body = (csv: string | undefined) => (csv ?? '').split('\n').slice(1).map((l) => l.split(',').slice(4).join(','));
    expect(body(b.get('runs.csv'))).not.toEqual(body(a.get('runs.csv')));
  });

  it('shows every sweep point the same arrivals in a replication (common random numbers)', async () => {
    const files = await filesFor([]);
    const lines = (files.get('runs.csv') ?? '').trim().split('\n');
    const header = lines[0].split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    for (const rep of ['0', '1']) {
      const counts = new Set(rows.filter((r) => r.replication === rep).map((r) => r.requests));
      expect(counts.size).toBe(1);
    }
  });
});
