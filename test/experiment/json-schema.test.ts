import { readdirSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemaText } from '../../src/cli/commands/schema.js';
import { experimentJsonSchema } from '../../src/experiment/json-schema.js';
import { LEAF_PATHS, validateExperiment } from '../../src/experiment/schema.js';
import { setPath } from '../../src/experiment/plan.js';

const ajv = new Ajv2020({ strict: false, allErrors: true });
const schemaAccepts = ajv.compile(experimentJsonSchema());
const runAccepts = (raw: unknown): boolean => validateExperiment(raw, 'x.yaml').experiment !== undefined;

describe('the experiment file’s JSON Schema', () => {
  it('is what the package ships as experiment.schema.json', () => {
    expect(readFileSync('experiment.schema.json', 'utf8')).toBe(schemaText());
  });

  it('accepts every committed experiment, as run does', () => {
    const files = readdirSync('experiments').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const raw = parse(readFileSync(`experiments/${f}`, 'utf8'));
      expect(runAccepts(raw), f).toBe(true);
      expect(schemaAccepts(raw), `${f}: ${JSON.stringify(schemaAccepts.errors)}`).toBe(true);
    }
  });

  it('never rejects a value run accepts, at any key', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 100_000 }),
      fc.double({ noNaN: true, min: -10, max: 1e6 }),
      fc.constantFrom('iptables', 'ipvs', 'Local', 'spread', '30000-32767', 'default/web', 'x', '', null, true, [], [1, 2], { dist: 'exponential', meanMs: 2 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...LEAF_PATHS), value, (path, v) => {
        const raw = setPath({ name: 'x' }, path, v);
        if (runAccepts(raw)) expect(schemaAccepts(raw), `${path}=${JSON.stringify(v)}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects what run rejects for its type, range, choice or name', () => {
    const wrong: [string, unknown][] = [
      ['proxy.mode', 'userspace'],
      ['replications', 0],
      ['traffic.ratePerS', -1],
      ['durationS', 0],
      ['pods.serviceTime', { dist: 'exponential' }],
      ['cluster.nodes', []],
      ['traffic.ingress', 'anycast'],
    ];
    for (const [path, v] of wrong) {
      const raw = setPath({ name: 'x' }, path, v);
      expect(runAccepts(raw), path).toBe(false);
      expect(schemaAccepts(raw), path).toBe(false);
    }
    expect(schemaAccepts({ name: 'x', rpelications: 2 })).toBe(false);
    expect(schemaAccepts({ name: 'x', sweep: { 'no.such.key': [1] } })).toBe(false);
    expect(schemaAccepts({ replications: 2 })).toBe(false);
  });
});
