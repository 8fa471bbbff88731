// The command line's promises about its output folder, against the built CLI (npm run build):
// a signal at any step of writing leaves the old set or the new one; two runs into one folder
// do not mix; every file-system mistake is exit 2 with the path, never a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settleResultSet } from '../../src/io/atomic-write.js';

const CLI = resolve('dist/cli/main.js');
const PRELOAD = resolve('test/cli/kill-at-step.mjs');
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-result-sets-'));
const file = join(dir, 'e.yaml');
writeFileSync(file, `name: sets\ndurationS: 0.3\nwarmupS: 0.1\ncluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}]}\ntraffic: {ratePerS: 1000}\n`);

const cli = (args: string[], env: Record<string, string> = {}, preload = false) =>
  spawnSync('node', [...(preload ? ['--import', PRELOAD] : []), CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });

// A reader of the folder: the liveness probe is real, so a killed writer's lock is seen as stale.
const reader = { pid: -1, isAlive: (pid: number) => spawnSync('kill', ['-0', String(pid)]).status === 0 };

function tree(root: string): string {
  if (!existsSync(root)) return '(missing)';
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(`${relative(root, p)}=${readFileSync(p).toString('base64')}`);
    }
  };
  walk(root);
  return out.join('\n');
}

// Reference sets: seed 1 (old) and seed 2 (new), each written once into a folder of its own.
expect(cli(['run', file, '-q', '--out', join(dir, 'ref-old')]).status).toBe(0);
expect(cli(['run', file, '-q', '--seed', '2', '--out', join(dir, 'ref-new')]).status).toBe(0);
const OLD = tree(join(dir, 'ref-old'));
const NEW = tree(join(dir, 'ref-new'));

describe('a signal while results are written', () => {
  const parent = join(dir, 'count');
  mkdirSync(parent);
  const countFile = join(dir, 'steps');
  cli(['run', file, '-q', '--out', join(parent, 'out')], { KILL_UNDER: parent, KILL_AT_STEP: '0', KILL_COUNT_FILE: countFile }, true);
  const total = Number(readFileSync(countFile, 'utf8'));
  const signals = ['SIGINT', 'SIGTERM', 'SIGKILL'] as const;
  // Steps spread over the phases: lock, staging writes, journal, the two renames, cleanup.
  const cases = [1, 3, Math.floor(total / 3), Math.floor(total / 2), total - 8, total - 6, total - 5, total - 3, total - 1].map((step, i) => [step, signals[i % 3]] as const);

  it('has steps to interrupt', () => {
    expect(total).toBeGreaterThan(30);
  });

  it.each(cases)('at step %i of the write, %s leaves the old set or the new one, and the next run recovers', (step, signal) => {
    const p = mkdtempSync(join(dir, 'sig-'));
    const out = join(p, 'out');
    expect(cli(['run', file, '-q', '--out', out]).status).toBe(0);
    expect(tree(out)).toBe(OLD);
    const r = cli(['run', file, '-q', '--seed', '2', '--out', out], { KILL_UNDER: p, KILL_AT_STEP: String(step), KILL_SIGNAL: signal }, true);
    expect(r.signal).toBe(signal);
    settleResultSet(out, reader);
    expect([OLD, NEW]).toContain(tree(out));
    const again = cli(['run', file, '-q', '--seed', '2', '--out', out]);
    expect(again.stderr).toBe('');
    expect(tree(out)).toBe(NEW);
    expect(readdirSync(p)).toEqual(['out']);
  });
});

describe('two runs into one --out', () => {
  it('refuses the second with exit 2 naming the first, and a killed first run does not block the next', async () => {
    const p = mkdtempSync(join(dir, 'two-'));
    const out = join(p, 'out');
    const first = spawn('node', [CLI, 'run', file, '-q', '--out', out, '--set', 'durationS=100000'], { stdio: 'ignore' });
    const exited = new Promise((done) => first.on('exit', done));
    // The lock is taken before simulating; wait for it to appear.
    for (let i = 0; i < 200 && !existsSync(join(p, '.out.lock')); i++) await new Promise((r) => setTimeout(r, 50));
    const second = cli(['run', file, '-q', '--out', out]);
    expect(second.status).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`another nodeport-sim \\(pid ${first.pid}\\) is writing these results`));
    first.kill('SIGKILL');
    await exited;
    const third = cli(['run', file, '-q', '--out', out]);
    expect(third.status).toBe(0);
    expect(tree(out)).toBe(OLD);
    expect(readdirSync(p)).toEqual(['out']);
  });
});

describe('file-system mistakes', () => {
  it.each([
    ['an --out that is a device', ['--out', '/dev/full'], /\/dev\/full: --out: exists and is not a folder/],
    ['an --out under /proc', ['--out', '/proc/nodeport-sim/out'], /\/proc\/nodeport-sim: cannot create the folder: no such file or folder \(ENOENT\)/],
    ['an --out below a file', ['--out', `${file}/out`], /e\.yaml: cannot create the folder: a part of the path is not a folder \(ENOTDIR\)/],
    ['an --out that holds other files', ['--out', dir], /holds files that are not results of this tool/],
  ])('%s exits 2 with the path and the reason, no stack trace', (_, args, message) => {
    const r = cli(['run', file, '-q', ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('merge refuses to write into a shard folder or one that holds it', () => {
    const s0 = join(dir, 'merge-into', 's0');
    expect(cli(['run', file, '-q', '--shard', '0/1', '--out', s0]).status).toBe(0);
    const before = tree(s0);
    for (const out of [s0, join(dir, 'merge-into')]) {
      const r = cli(['merge', s0, '--out', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/would replace this shard folder or be written inside it/);
    }
    expect(tree(s0)).toBe(before);
  });
});
