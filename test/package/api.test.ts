import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCluster, formatIssue, InputError, loadExperiment, readManifestFiles, renderRules } from '../../src/index.js';

// The typed API's own wrappers: a user's mistake comes back as the InputError the CLI prints,
// and nothing reaches the console on the way.

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-api-'));
const manifests = resolve('experiments/manifests/nginx.yaml');
const cli = (args: string[]) => spawnSync('node', ['dist/cli/main.js', ...args], { encoding: 'utf8' });

afterEach(() => vi.restoreAllMocks());

function quietly<T>(f: () => T): T {
  const writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write'), vi.spyOn(console, 'log'), vi.spyOn(console, 'error')];
  try {
    return f();
  } finally {
    for (const w of writes) expect(w).not.toHaveBeenCalled();
  }
}

function thrown(f: () => unknown): InputError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}

describe('loadExperiment', () => {
  it('throws, for a bad experiment, the issues `run` prints before exiting 2', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `name: bad\nreplications: -1\ntraffic: {ratePerS: fast}\ncluster: {manifests: [${manifests}]}\n`);
    const error = quietly(() => thrown(() => loadExperiment(file)));
    const r = cli(['run', file, '--quiet']);
    expect(r.status).toBe(2);
    expect(error.issues.map((i) => `error: ${formatIssue(i)}`).join('\n')).toBe(r.stderr.trimEnd());
    expect(error.issues.length).toBeGreaterThanOrEqual(2);
  });

  it('applies overrides by dotted path before validating, as --set does', () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(file, `name: good\ncluster: {manifests: [${manifests}]}\n`);
    const loaded = quietly(() => loadExperiment(file, { 'traffic.ratePerS': 2000, seed: 7 }));
    expect(loaded.experiment.traffic.ratePerS).toBe(2000);
    expect(loaded.experiment.seed).toBe(7);
    expect(loaded.docs.length).toBeGreaterThan(0);
    const error = thrown(() => loadExperiment(file, { 'traffic.ratePerS': 'fast' }));
    const r = cli(['run', file, '--quiet', '--set', 'traffic.ratePerS=fast']);
    expect(r.status).toBe(2);
    expect(error.issues.map((i) => `error: ${formatIssue(i)}`).join('\n')).toBe(r.stderr.trimEnd());
  });
});

describe('renderRules', () => {
  const { cluster } = buildCluster(readManifestFiles([manifests]));

  it('prints what `nodeport-sim rules` prints, in each mode', () => {
    for (const mode of ['iptables', 'ipvs', 'nftables'] as const) {
      const r = cli(['rules', '-f', manifests, '--mode', mode, '--node', cluster.nodes[0].name]);
      expect(r.status).toBe(0);
      expect(quietly(() => renderRules(cluster, { mode, node: cluster.nodes[0].name }))).toBe(r.stdout);
    }
  });

  it('names the cluster\'s nodes when asked for one it does not have', () => {
    const error = quietly(() => thrown(() => renderRules(cluster, { mode: 'iptables', node: 'nope' })));
    expect(error.issues).toEqual([{ path: 'node', message: `got "nope", expected one of the cluster's nodes: ${cluster.nodes.map((n) => n.name).join(', ')}` }]);
  });
});
