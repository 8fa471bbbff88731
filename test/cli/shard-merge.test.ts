import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileTree } from '../support/file-tree.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-shards-'));
const file = join(dir, 'e.yaml');
writeFileSync(
  file,
  `name: shard-cli\nreplications: 3\ndurationS: 0.5\nwarmupS: 0.1\ncluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}]}\ntraffic: {ratePerS: 1000}\nsweep: {service.externalTrafficPolicy: [Cluster, Local]}\n`,
);
const cli = (args: string[], env: Record<string, string> = {}) => spawnSync('npx', ['tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });


describe('run --shard and merge from the command line', () => {
  it('gives byte for byte the files of an unsharded run', () => {
    expect(cli(['run', file, '--quiet', '--out', join(dir, 'whole')]).status).toBe(0);
    expect(cli(['run', file, '--quiet', '--shard', '0/2', '--out', join(dir, 's0')]).status).toBe(0);
    // An Indexed Job's pod learns its index from JOB_COMPLETION_INDEX.
    expect(cli(['run', file, '--quiet', '--shard', 'auto/2', '--out', join(dir, 's1')], { JOB_COMPLETION_INDEX: '1' }).status).toBe(0);
    const merge = cli(['merge', join(dir, 's0'), join(dir, 's1'), '--quiet', '--out', join(dir, 'merged')]);
    expect(merge.stderr).toBe('');
    expect(merge.status).toBe(0);
    const whole = fileTree(join(dir, 'whole'));
    const merged = fileTree(join(dir, 'merged'));
    expect([...merged.keys()]).toEqual([...whole.keys()]);
    for (const [path, bytes] of whole) expect(bytes.equals(merged.get(path) as Buffer), path).toBe(true);
  });

  it('exits 2 when a shard is missing', () => {
    const r = cli(['merge', join(dir, 's0'), '--out', join(dir, 'partial')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shards 1 of 2 are missing/);
  });
});
