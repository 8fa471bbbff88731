import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-sigint-'));
const file = join(dir, 'e.yaml');
writeFileSync(file, `name: sigint\nreplications: 2\ndurationS: 0.5\ncluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}]}\ntraffic: {ratePerS: 1000}\n`);
const out = join(dir, 'results');

describe('Ctrl-C during a run', () => {
  it('leaves the previous results as they were', async () => {
    expect(spawnSync('npx', ['tsx', 'src/cli/main.ts', 'run', file, '--quiet', '--out', out]).status).toBe(0);
    const before = readFileSync(join(out, 'runs.csv'));
    const listing = readdirSync(out, { recursive: true }).sort();

    // A run of minutes (≈ 200 M requests) with another seed, interrupted as a terminal does: SIGINT to the whole
    // process group (npx, tsx and node).
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'run', file, '--quiet', '--out', out, '--seed', '2', '--set', 'durationS=200000'], {
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    await new Promise((r) => setTimeout(r, 4000));
    process.kill(-(child.pid as number), 'SIGINT');
    const { code, signal } = await exited;
    expect(code === 0).toBe(false);
    expect(code ?? signal).not.toBeNull();

    expect(readFileSync(join(out, 'runs.csv')).equals(before)).toBe(true);
    expect(readdirSync(out, { recursive: true }).sort()).toEqual(listing);
  });
});
