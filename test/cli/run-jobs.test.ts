import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTree } from '../support/file-tree.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-jobs-'));
const manifests = resolve('experiments/manifests/nginx.yaml');
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const cli = (args: string[]) => spawnSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' });


function expectSameFiles(a: string, b: string): void {
  const left = fileTree(a);
  const right = fileTree(b);
  expect([...right.keys()]).toEqual([...left.keys()]);
  for (const [path, bytes] of left) expect(bytes.equals(right.get(path) as Buffer), path).toBe(true);
}

describe('run --jobs', () => {
  // Points of unequal cost (two rates, two cluster sizes with their own notes and clusters), so
  // children finish out of order and each builds its clusters itself.
  const sweep = write(
    'sweep.yaml',
    `name: jobs\nreplications: 2\ndurationS: 0.4\nwarmupS: 0.1\ncluster: {nodes: 2, manifests: [${manifests}]}\ntraffic: {ratePerS: 1000}\nsweep: {cluster.nodes: [2, 3], traffic.ratePerS: [500, 3000], proxy.mode: [iptables, ipvs]}\n`,
  );

  it('writes byte for byte the files of --jobs 1, with 2 and with 3 child processes', () => {
    expect(cli(['run', sweep, '-q', '--no-charts', '--jobs', '1', '-o', join(dir, 'one')]).status).toBe(0);
    for (const jobs of ['2', '3']) {
      const r = cli(['run', sweep, '-q', '--no-charts', '--jobs', jobs, '-o', join(dir, `jobs-${jobs}`)]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expectSameFiles(join(dir, 'one'), join(dir, `jobs-${jobs}`));
    }
  });

  it('runs a shard in child processes as it runs it alone', () => {
    expect(cli(['run', sweep, '-q', '--no-charts', '--shard', '1/3', '--jobs', '1', '-o', join(dir, 'shard-one')]).status).toBe(0);
    expect(cli(['run', sweep, '-q', '--no-charts', '--shard', '1/3', '--jobs', '2', '-o', join(dir, 'shard-two')]).status).toBe(0);
    expectSameFiles(join(dir, 'shard-one'), join(dir, 'shard-two'));
  });

  it('reports a bad sweep point once, as bad input, before any child starts', () => {
    const bad = write('bad.yaml', `name: bad\ndurationS: 0.1\ncluster: {nodes: 2, placement: [1, 1], manifests: [${manifests}]}\nsweep: {cluster.nodes: [2, 3]}\n`);
    const r = cli(['run', bad, '-q', '--jobs', '2', '-o', join(dir, 'bad')]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cluster\.placement: got 2 pod counts, expected one per node \(3\)/);
  });
});

describe('progress inside a run', () => {
  it('shows a single long run advancing by simulated time, not only 0/1 then 1/1', () => {
    // About 650,000 events, so the engine reports progress twice inside the run.
    const long = write('long.yaml', `name: long\ndurationS: 3\nwarmupS: 0\ncluster: {nodes: 3, manifests: [${manifests}]}\ntraffic: {ratePerS: 50000}\npods: {concurrency: 8}\n`);
    const r = cli(['run', long, '--no-charts', '-o', join(dir, 'long')]);
    expect(r.status).toBe(0);
    const inside = r.stderr.split('\n').filter((l) => /^run 0\/1 {2}\d+% of simulated time {2}eta \d/.test(l));
    expect(inside.length).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^run 1\/1 {2}ok=/m);
  });
});
