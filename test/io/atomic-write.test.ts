import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/input/problems.js';
import { type FileOps, type LockOwner, lockResultSet, type OutputFile, settleResultSet, writeResultSet } from '../../src/io/atomic-write.js';

const alive: LockOwner = { pid: 4242, isAlive: () => true };
const deadHolder: LockOwner = { pid: 4343, isAlive: () => false };

const OLD: OutputFile[] = [
  { path: 'experiment.resolved.json', content: '{"old":true}\n' },
  { path: 'runs.csv', content: 'old runs\n' },
  { path: 'report.html', content: '<p>old</p>' },
  { path: 'charts/sweep-only.svg', content: '<svg>old</svg>' },
  { path: 'charts/sweep-only.png', content: new Uint8Array([9, 9]) },
];
const NEW: OutputFile[] = [
  { path: 'experiment.resolved.json', content: '{"new":true}\n' },
  { path: 'runs.csv', content: 'new runs\n' },
  { path: 'summary.csv', content: 'new summary\n' },
  { path: 'report.html', content: '<p>new</p>' },
  { path: 'charts/hops.svg', content: '<svg>new</svg>' },
];

/** Every file under `dir` with its bytes, as a stable string. */
function snapshot(dir: string): string {
  if (!fs.existsSync(dir)) return '(missing)';
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .sort()
    .filter((p) => fs.statSync(join(dir, p)).isFile())
    .map((p) => `${p}=${fs.readFileSync(join(dir, p)).toString('hex')}`)
    .join('\n');
}

const expected = (files: readonly OutputFile[]): string => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'nodeport-sim-expect-'));
  for (const f of files) {
    fs.mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    fs.writeFileSync(join(dir, f.path), f.content);
  }
  return snapshot(dir);
};
const OLD_SET = expected(OLD);
const NEW_SET = expected(NEW);

/** A fresh parent folder holding `out` with the old set. */
function withOldSet(): { parent: string; out: string } {
  const parent = fs.mkdtempSync(join(tmpdir(), 'nodeport-sim-atomic-'));
  const out = join(parent, 'out');
  writeResultSet(out, OLD, alive);
  expect(snapshot(out)).toBe(OLD_SET);
  return { parent, out };
}

const MUTATING = new Set(['linkSync', 'mkdirSync', 'mkdtempSync', 'openSync', 'writeFileSync', 'fsyncSync', 'closeSync', 'renameSync', 'rmSync', 'unlinkSync', 'chmodSync']);

/**
 * The real file system, through which the `stopAt`-th change (1-based) and everything after it
 * fails: as if the process were killed (or power lost) right there. `mode: 'once'` fails only
 * that one step, as a full disk or a read-only remount would, and lets cleanup proceed.
 */
function injected(stopAt: number, mode: 'dead' | 'once', code = 'EIO'): { ops: FileOps; steps: () => number } {
  let n = 0;
  const ops = new Proxy(fs, {
    get(target, name: string) {
      const real = (target as unknown as Record<string, unknown>)[name];
      if (!MUTATING.has(name) || typeof real !== 'function') return real;
      return (...args: unknown[]) => {
        n++;
        if (mode === 'dead' ? n >= stopAt : n === stopAt) throw Object.assign(new Error(`${code}: injected at step ${n} (${name})`), { code, syscall: name, path: String(args[0]) });
        return (real as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as unknown as FileOps;
  return { ops, steps: () => n };
}

const stepsOfOneWrite = (() => {
  const { out } = withOldSet();
  const counting = injected(Number.POSITIVE_INFINITY, 'once');
  writeResultSet(out, NEW, alive, counting.ops);
  return counting.steps();
})();

describe('writeResultSet', () => {
  it('replaces the whole set: files of the earlier set do not survive beside the new ones', () => {
    const { parent, out } = withOldSet();
    writeResultSet(out, NEW, alive);
    expect(snapshot(out)).toBe(NEW_SET);
    // Nothing beside the folder: no lock, journal, staging or backup.
    expect(fs.readdirSync(parent)).toEqual(['out']);
  });

  it('has a number of file-system steps to cut at', () => {
    // lock, staging folder, 5 files × (open, write, fsync, close), journal, 2 renames, cleanup
    expect(stepsOfOneWrite).toBeGreaterThan(5 * 4 + 6);
  });

  it.each(Array.from({ length: stepsOfOneWrite }, (_, i) => i + 1))('killed at step %i leaves the old set or the new one, never a mix, once recovered', (stopAt) => {
    const { parent, out } = withOldSet();
    expect(() => writeResultSet(out, NEW, { ...deadHolder, pid: 777 }, injected(stopAt, 'dead').ops)).toThrow();
    // What a reader (merge) or the next writer does first: recover from the journal. The dead
    // writer's lock, if it left one, names a pid that no longer runs.
    settleResultSet(out, deadHolder);
    const after = snapshot(out);
    expect([OLD_SET, NEW_SET]).toContain(after);
    expect(fs.readdirSync(parent)).toEqual(after === '(missing)' ? [] : ['out']);
    // And the next run writes its set whole.
    writeResultSet(out, NEW, alive);
    expect(snapshot(out)).toBe(NEW_SET);
    expect(fs.readdirSync(parent)).toEqual(['out']);
  });

  it.each(Array.from({ length: stepsOfOneWrite }, (_, i) => i + 1))('a failure at step %i (disk full) exits 2 naming a path, and leaves the old set or, past the commit, the new one', (stopAt) => {
    const { parent, out } = withOldSet();
    let error: unknown;
    try {
      writeResultSet(out, NEW, alive, injected(stopAt, 'once', 'ENOSPC').ops);
    } catch (e) {
      error = e;
    }
    // Every step is checked: none fails without the user hearing of it.
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toMatch(/: cannot .*: no space left on the device \(ENOSPC\)$/);
    expect([OLD_SET, NEW_SET]).toContain(snapshot(out));
    // Whatever the step, the next writer finds a clean place.
    writeResultSet(out, NEW, alive);
    expect(snapshot(out)).toBe(NEW_SET);
    expect(fs.readdirSync(parent)).toEqual(['out']);
  });

  it('refuses a second writer while the first holds the lock, naming its pid', () => {
    const { out } = withOldSet();
    const first = lockResultSet(out, alive);
    expect(() => writeResultSet(out, NEW, { pid: 5, isAlive: () => true })).toThrow(/another nodeport-sim \(pid 4242\) is writing these results/);
    first.release();
    expect(snapshot(out)).toBe(OLD_SET);
  });

  it('takes over the lock of a writer that is gone', () => {
    const { parent, out } = withOldSet();
    fs.writeFileSync(join(parent, '.out.lock'), '999999\n');
    writeResultSet(out, NEW, { pid: 1, isAlive: (pid) => pid !== 999999 });
    expect(snapshot(out)).toBe(NEW_SET);
  });

  it('refuses to replace a folder that is not a result set, a file, or a symbolic link', () => {
    const parent = fs.mkdtempSync(join(tmpdir(), 'nodeport-sim-atomic-'));
    fs.mkdirSync(join(parent, 'home'));
    fs.writeFileSync(join(parent, 'home', 'thesis.tex'), 'precious');
    expect(() => writeResultSet(join(parent, 'home'), NEW, alive)).toThrow(/holds files that are not results of this tool/);
    expect(fs.readFileSync(join(parent, 'home', 'thesis.tex'), 'utf8')).toBe('precious');
    fs.writeFileSync(join(parent, 'file'), 'x');
    expect(() => writeResultSet(join(parent, 'file'), NEW, alive)).toThrow(/exists and is not a folder/);
    fs.symlinkSync(join(parent, 'home'), join(parent, 'link'));
    expect(() => writeResultSet(join(parent, 'link'), NEW, alive)).toThrow(/is a symbolic link/);
    expect(fs.readdirSync(parent).sort()).toEqual(['file', 'home', 'link']);
  });

  it('refuses a journal it did not write instead of acting on the names in it', () => {
    const { parent, out } = withOldSet();
    fs.writeFileSync(join(parent, '.out.journal'), JSON.stringify({ staging: '../../etc', backup: '.out.backup-x' }));
    expect(() => writeResultSet(out, NEW, alive)).toThrow(/is not a journal this tool wrote/);
    expect(snapshot(out)).toBe(OLD_SET);
  });

  it('never writes through a symbolic link planted where a staging file goes', () => {
    // Staging folders are made by mkdtemp (0700, unpredictable name); even so each file is opened
    // O_EXCL|O_NOFOLLOW, so a planted link makes the write fail instead of following it.
    const { out } = withOldSet();
    const victim = join(fs.mkdtempSync(join(tmpdir(), 'nodeport-sim-victim-')), 'victim');
    fs.writeFileSync(victim, 'untouched');
    const planting = new Proxy(fs, {
      get(target, name: string) {
        const real = (target as unknown as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
        if (name !== 'openSync') return real;
        return (path: string, ...rest: unknown[]) => {
          if (path.endsWith('runs.csv') && path.includes('.out.staging-')) fs.symlinkSync(victim, path);
          return real.call(target, path, ...rest);
        };
      },
    }) as unknown as FileOps;
    expect(() => writeResultSet(out, NEW, alive, planting)).toThrow(/runs\.csv: cannot write: already exists \(EEXIST\)/);
    expect(fs.readFileSync(victim, 'utf8')).toBe('untouched');
    expect(snapshot(out)).toBe(OLD_SET);
  });
});
