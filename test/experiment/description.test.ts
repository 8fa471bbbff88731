// The experiment file's one description: every path it lists works with --set and sweep, and
// keys it does not list are refused, by name only (no inherited property counts as a key).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { applySets, loadExperiment } from '../../src/cli/load-experiment.js';
import { buildCluster } from '../../src/cluster/build.js';
import { MAX_NODES } from '../../src/cluster/model.js';
import { leafPaths } from '../../src/experiment/description-kit.js';
import { EXPERIMENT } from '../../src/experiment/description.js';
import { checkPath, LEAF_PATHS, SWEEPABLE_PATHS, validateExperiment } from '../../src/experiment/schema.js';
import { InputError } from '../../src/input/problems.js';

const valueAt = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], obj);
/** A value each leaf accepts: its default, or a name for the one key that has none. */
const fitting = new Map(leafPaths(EXPERIMENT).map(([path, leaf]) => [path, leaf.required ? 'a-name' : leaf.default]));
const issuesOf = (raw: unknown) => validateExperiment(raw).issues;

describe('the paths the description lists', () => {
  it('are every leaf of the file, and all but the name may be swept', () => {
    expect(LEAF_PATHS).toContain('traffic.ratePerS');
    expect(LEAF_PATHS).toContain('name');
    expect(SWEEPABLE_PATHS).toEqual(LEAF_PATHS.filter((p) => p !== 'name'));
  });

  it('each take a fitting value through --set, which lands at that path', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LEAF_PATHS), (path) => {
        const raw = applySets({ name: 'x' }, [`${path}=${stringify(fitting.get(path), { lineWidth: 0 }).trim()}`]);
        const { experiment, issues } = validateExperiment(raw);
        expect(issues).toEqual([]);
        expect(valueAt(experiment, path)).toEqual(fitting.get(path));
      }),
      { numRuns: LEAF_PATHS.length * 2, seed: 1 },
    );
  });

  it('each take a sweep over fitting values, and refuse one that fits no leaf at its own index', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SWEEPABLE_PATHS), fc.integer({ min: 0, max: 2 }), (path, bad) => {
        const values: unknown[] = [fitting.get(path), fitting.get(path), fitting.get(path)];
        expect(issuesOf({ name: 'x', sweep: { [path]: values } })).toEqual([]);
        values[bad] = { notA: 'value' };
        const issues = issuesOf({ name: 'x', sweep: { [path]: values } });
        expect(issues.map((i) => i.path)).toEqual([`sweep.${path}[${bad}]`]);
        expect(issues[0].message).toMatch(/^got \{"notA":"value"\}, expected /);
      }),
      { numRuns: SWEEPABLE_PATHS.length * 2, seed: 2 },
    );
  });

  it('are the only ones: any other --set path ends in an issue', () => {
    const tricky = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'traffic.constructor', 'cluster.__proto__', 'proxy.mode.length');
    fc.assert(
      fc.property(fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), tricky), (path) => {
        fc.pre(!LEAF_PATHS.includes(path) && !path.startsWith('=') && !path.includes('='));
        expect(issuesOf(applySets({ name: 'x' }, [`${path}=1`])).length).toBeGreaterThan(0);
      }),
      { numRuns: 300, seed: 4 },
    );
  });
});

describe('unknown keys', () => {
  it('suggest the key within a few edits', () => {
    expect(issuesOf({ name: 'x', rpelications: 3 })).toEqual([{ file: undefined, path: 'rpelications', message: 'unknown key (did you mean replications?)' }]);
    expect(issuesOf({ name: 'x', sweep: { 'traffic.rateperS': [1] } })[0].message).toBe('is not a key that can be swept (did you mean traffic.ratePerS?)');
    expect(issuesOf({ name: 'x', events: [{ atS: 1, action: 'kill-pod', pdo: 'p' }] }).map((i) => i.path)).toEqual(['events[0].pod', 'events[0].pdo']);
  });

  it('are found by own properties: __proto__, constructor and toString are not keys anywhere', () => {
    const raw = JSON.parse('{"name": "x", "__proto__": {"a": 1}, "constructor": 1, "traffic": {"toString": 2}, "events": [{"atS": 0, "action": "constructor"}]}');
    expect(issuesOf(raw).map((i) => i.path).sort()).toEqual(['__proto__', 'constructor', 'events[0].action', 'traffic.toString']);
    expect(checkPath('constructor', 1)).toBe('is not a key of the experiment file');
    expect(checkPath('traffic.hasOwnProperty', 1)).toBe('is not a key of the experiment file');
    expect(issuesOf({ name: 'x', sweep: { constructor: [1] } })[0].message).toMatch(/not a key that can be swept/);
  });
});

describe('lines in messages', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-lines-'));
  const write = (lines: string[]) => {
    const file = join(dir, `e${lines.length}.yaml`);
    writeFileSync(file, lines.join('\n'));
    return file;
  };
  const issuesLoading = (file: string, set: string[] = []) => {
    try {
      loadExperiment(file, { set });
    } catch (error) {
      if (error instanceof InputError) return error.issues;
      throw error;
    }
    throw new Error('expected an InputError');
  };

  it('name the line of the offending key or item in the file', () => {
    const text = ['name: x', 'traffic:', '  ratePerS: fast', '  ingres: random', 'sweep:', '  proxy.mode: [iptables, bpf]'];
    const file = write(text);
    const lineOf = (needle: string) => text.findIndex((l) => l.includes(needle)) + 1;
    const byPath = Object.fromEntries(issuesLoading(file).map((i) => [i.path, i.line]));
    expect(byPath).toEqual({ 'traffic.ratePerS': lineOf('fast'), 'traffic.ingres': lineOf('ingres'), 'sweep.proxy.mode[1]': lineOf('bpf') });
    expect(new InputError(issuesLoading(file)).message).toContain(`${file}:${lineOf('ingres')}: traffic.ingres: unknown key (did you mean traffic.ingress?)`);
  });

  it('name no line for a value --set replaced, since that value is not in the file', () => {
    const file = write(['name: x', 'traffic:', '  ratePerS: 100', '  clients: 1']);
    const [issue] = issuesLoading(file, ['traffic.ratePerS=fast']);
    expect(issue).toEqual({ file, path: 'traffic.ratePerS', message: 'got "fast", expected a number > 0' });
  });
});

describe('the node limit', () => {
  // Address ranges wide enough for every node and its pods' /24, so only the count can fail.
  const WIDE = { nodeCidr: '172.16.0.0/12', podCidr: '10.0.0.0/8' };
  it('is one limit for the experiment file and the cluster builder', () => {
    expect(issuesOf({ name: 'x', cluster: { nodes: MAX_NODES } })).toEqual([]);
    expect(issuesOf({ name: 'x', cluster: { nodes: MAX_NODES + 1 } })[0].message).toContain(`1 to ${MAX_NODES}`);
    expect(buildCluster([], { nodes: MAX_NODES, ...WIDE }).cluster.nodes).toHaveLength(MAX_NODES);
    expect(() => buildCluster([], { nodes: MAX_NODES + 1, ...WIDE })).toThrow(InputError);
  });
});
