// Random and corrupted experiment files must end in an InputError (exit 2), never a crash.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadExperiment } from '../../src/cli/load-experiment.js';
import { InputError } from '../../src/input/problems.js';
import { checkPoint, sweepPoints } from '../../src/experiment/plan.js';
import { resolveCluster, simConfigFor } from '../../src/experiment/resolve.js';
import { SWEEPABLE_PATHS } from '../../src/experiment/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-corrupt-'));
let counter = 0;
const writeExperiment = (text: string): string => {
  const file = join(dir, `e${counter++}.yaml`);
  writeFileSync(file, text);
  return file;
};

/** Everything `run` does before the first simulated event: read, validate, plan, build, configure. */
function prepare(file: string, set: string[] = []): void {
  const { experiment, docs } = loadExperiment(file, { set });
  const points = sweepPoints(experiment);
  const issues = points.flatMap((p) => checkPoint(p, file));
  if (issues.length > 0) throw new InputError(issues);
  for (const p of points) simConfigFor(p.experiment, resolveCluster(p.experiment, docs), 0);
}

function endsInInputErrorOrRuns(file: string, set: string[] = []): void {
  try {
    prepare(file, set);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) expect(issue.message).not.toBe('');
  }
}

const base = {
  name: 'corrupt',
  replications: 2,
  durationS: 1,
  cluster: { nodes: 3, manifests: [resolve('experiments/manifests/nginx.yaml')], placement: [1, 2, 0] },
  traffic: { ratePerS: 1000 },
  sweep: { 'service.externalTrafficPolicy': ['Cluster', 'Local'] },
  assert: ['latency_p99_ms < 20'],
};

const leafValue = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1, 0.5, 3, 1e9, 1e300, -1e-9, Number.NaN, Number.POSITIVE_INFINITY, '', 'spread', 'Local', 'iptables', '30000-32767', '0-0', 'a/b', '../x.yaml'),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 12 }),
);
const value = fc.oneof(
  { weight: 4, arbitrary: leafValue },
  { weight: 1, arbitrary: fc.array(leafValue, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), leafValue, { maxKeys: 3 }) },
);
const path = fc.oneof(
  fc.constantFrom(...SWEEPABLE_PATHS, 'name', 'sweep', 'assert', 'cluster', 'traffic', 'pods', 'network', 'costs', 'proxy', 'service', 'nodes'),
  fc.constantFrom(...SWEEPABLE_PATHS).map((p) => `sweep.${p}`),
  fc.constantFrom('assert.0', 'assert.1', 'cluster.placement.0', 'cluster.nodes.0', 'pods.serviceTime.dist', 'pods.serviceTime.meanMs', 'network.clientToNodeMs.dist'),
  fc.string({ maxLength: 10 }),
);

function setAt(obj: unknown, dotted: string, v: unknown): unknown {
  const [head, ...rest] = dotted.split('.');
  const source: Record<string, unknown> = typeof obj === 'object' && obj !== null ? (Array.isArray(obj) ? { ...obj } : { ...(obj as object) }) : {};
  source[head] = rest.length === 0 ? v : setAt(source[head], rest.join('.'), v);
  return Array.isArray(obj) && /^\d+$/.test(head) ? Object.assign([...obj], { [head]: source[head] }) : source;
}

describe('corrupted experiment files', () => {
  it('the base experiment is valid, so the corruptions below are what is tested', () => {
    expect(() => prepare(writeExperiment(stringify(base)))).not.toThrow();
  });

  it('random values at random keys end in an InputError or a valid experiment', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(path, value), { minLength: 1, maxLength: 4 }), (edits) => {
        const corrupted = edits.reduce<unknown>((e, [p, v]) => setAt(e, p, v), base);
        endsInInputErrorOrRuns(writeExperiment(stringify(corrupted)));
      }),
      { numRuns: 300, seed: 20241126 },
    );
  });

  it('random --set overrides end in an InputError or a valid experiment', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(path, fc.string({ maxLength: 10 })), { minLength: 1, maxLength: 3 }), (sets) => {
        endsInInputErrorOrRuns(writeExperiment(stringify(base)), sets.map(([p, v]) => `${p}=${v}`));
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('random text ends in an InputError or a valid experiment', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => endsInInputErrorOrRuns(writeExperiment(text))),
      { numRuns: 300, seed: 11 },
    );
  });

  it('a valid file cut off at a random byte ends in an InputError or a valid experiment', () => {
    const text = stringify(base);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.string({ maxLength: 3 }), (cut, junk) => endsInInputErrorOrRuns(writeExperiment(text.slice(0, cut) + junk))),
      { numRuns: 200, seed: 5 },
    );
  });
});
