import { describe, expect, it } from 'vitest';
import { validateExperiment } from '../../src/experiment/schema.js';
import { planRuns, sweepPoints } from '../../src/experiment/plan.js';

describe('validateExperiment', () => {
  it('fills every default when only the name is given', () => {
    const { experiment, issues } = validateExperiment({ name: 'x' });
    expect(issues).toEqual([]);
    expect(experiment?.proxy.mode).toBe('iptables');
    expect(experiment?.cluster.nodePortRange).toBe('30000-32767');
    expect(experiment?.costs.iptablesRuleNs).toBe(15);
  });

  it('reports every problem at once, each with its dotted path, the value and what was expected', () => {
    const { experiment, issues } = validateExperiment(
      {
        name: 'bad name!',
        durationS: -1,
        proxy: { mode: 'userspace' },
        traffic: { ratePerS: 'fast', ingres: 'random' },
        pods: { serviceTime: { dist: 'exponential', mean: 2 } },
        sweep: { 'proxy.mode': ['iptables', 'ipvs', 'bpf'], 'traffic.nope': [1] },
        surprise: 1,
      },
      'exp.yaml',
    );
    expect(experiment).toBeUndefined();
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
    expect(issues.every((i) => i.file === 'exp.yaml')).toBe(true);
    expect(byPath.name).toMatch(/got "bad name!", expected a name/);
    expect(byPath.durationS).toMatch(/got -1, expected a number > 0/);
    expect(byPath['proxy.mode']).toMatch(/got "userspace", expected one of iptables, ipvs, nftables/);
    expect(byPath['traffic.ratePerS']).toMatch(/got "fast"/);
    expect(byPath['traffic.ingres']).toMatch(/unknown key \(did you mean traffic.ingress\?\)/);
    expect(byPath['pods.serviceTime']).toMatch(/exponential, meanMs/);
    expect(byPath['sweep.proxy.mode[2]']).toMatch(/got "bpf"/);
    expect(byPath['sweep.traffic.nope']).toMatch(/cannot be swept|not a key/);
    expect(byPath.surprise).toMatch(/unknown key/);
  });

  it('requires a name', () => {
    expect(validateExperiment({}).issues).toEqual([{ file: undefined, path: 'name', message: 'is required' }]);
  });
});

describe('proxy.ebpf (a nested mapping)', () => {
  it("fills Cilium's defaults and reports each bad nested key with its dotted path", () => {
    const ok = validateExperiment({ name: 'x', proxy: { mode: 'ebpf', ebpf: { algorithm: 'maglev' } } });
    expect(ok.experiment?.proxy.ebpf).toEqual({ algorithm: 'maglev', maglevTableSize: 16381, nodePortMode: 'snat' });
    const bad = validateExperiment({
      name: 'x',
      proxy: { ebpf: { algorithm: 'ring', maglevTableSize: 1000, nodePortMod: 'dsr' } },
      sweep: { 'proxy.ebpf.nodePortMode': ['snat', 'direct'] },
    });
    expect(bad.issues.map((i) => i.path).sort()).toEqual(['proxy.ebpf.algorithm', 'proxy.ebpf.maglevTableSize', 'proxy.ebpf.nodePortMod', 'sweep.proxy.ebpf.nodePortMode[1]']);
  });
});

describe('planRuns', () => {
  it('expands the sweep as a cross product, the last key varying fastest, times the replications', () => {
    const { experiment } = validateExperiment({
      name: 'x',
      replications: 2,
      seed: 9,
      sweep: { 'cluster.nodes': [1, 3], 'proxy.mode': ['iptables', 'nftables'] },
    });
    if (!experiment) throw new Error('invalid');
    const points = sweepPoints(experiment);
    expect(points.map((p) => p.params)).toEqual([
      { 'cluster.nodes': 1, 'proxy.mode': 'iptables' },
      { 'cluster.nodes': 1, 'proxy.mode': 'nftables' },
      { 'cluster.nodes': 3, 'proxy.mode': 'iptables' },
      { 'cluster.nodes': 3, 'proxy.mode': 'nftables' },
    ]);
    expect(points[3].experiment.cluster.nodes).toBe(3);
    expect(points[3].experiment.proxy.mode).toBe('nftables');
    // The base experiment is not modified by the expansion.
    expect(experiment.proxy.mode).toBe('iptables');
    const runs = planRuns(experiment);
    expect(runs).toHaveLength(8);
    expect(runs.map((r) => [r.run, r.point.index, r.replication, r.seed])).toEqual([
      [0, 0, 0, 9], [1, 0, 1, 9], [2, 1, 0, 9], [3, 1, 1, 9], [4, 2, 0, 9], [5, 2, 1, 9], [6, 3, 0, 9], [7, 3, 1, 9],
    ]);
  });
});

describe('non-finite numbers', () => {
  it('are named as YAML spells them, not as JSON would (null)', () => {
    const r = validateExperiment({ name: 'x', durationS: Number.NaN, traffic: { ratePerS: Number.POSITIVE_INFINITY }, warmupS: Number.NEGATIVE_INFINITY });
    expect(r.issues.map((i) => i.message).sort()).toEqual(['got -.inf, expected a number >= 0', 'got .inf, expected a number > 0', 'got .nan, expected a number > 0']);
  });
});
