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

    // A run of minutes (10,000 replications) with another seed, interrupted as a terminal does: SIGINT to the
    // whole process group (npx, tsx and node), once its first run has finished. Off a terminal the run prints
    // one `run I/N` line per finished run on stderr, so the first line says the set is under way.
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'run', file, '--out', out, '--seed', '2', '--replications', '10000'], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
    let interrupted: { code: number | null; signal: NodeJS.Signals | null };
    try {
      const firstRun = await new Promise<string>((done, fail) => {
        let stderr = '';
        child.stderr?.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          // Whole lines only: a chunk may end inside one.
          const line = stderr.split('\n').slice(0, -1).find((l) => l.startsWith('run '));
          if (line !== undefined) done(line);
        });
        child.on('exit', () => fail(new Error(`the run ended before its first run finished:\n${stderr}`)));
      });
      expect(firstRun).toMatch(/^run 1\/10000 /);
      process.kill(-(child.pid as number), 'SIGINT');
      interrupted = await exited;
    } finally {
      // A failed expectation above must not leave minutes of simulation running.
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    }
    const { code, signal } = interrupted;
    expect(code === 0).toBe(false);
    expect(code ?? signal).not.toBeNull();

    expect(readFileSync(join(out, 'runs.csv')).equals(before)).toBe(true);
    expect(readdirSync(out, { recursive: true }).sort()).toEqual(listing);
  });
});
