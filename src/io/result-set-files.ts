// The file-system steps a result set is written, locked and recovered with (see atomic-write.ts
// for the scheme): the injectable operations, the names beside an output folder, and each step
// turned into a clear error naming its path.

import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../input/problems.js';
import { errnoCode, fsInputError } from './fs-error.js';

export interface OutputFile {
  /** Path relative to the output folder, `/`-separated. */
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** The file operations used; tests pass ones that fail, or stop for good, at a chosen step. */
export type FileOps = Pick<
  typeof fs,
  | 'mkdirSync'
  | 'mkdtempSync'
  | 'openSync'
  | 'writeFileSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'rmSync'
  | 'unlinkSync'
  | 'linkSync'
  | 'readFileSync'
  | 'readdirSync'
  | 'lstatSync'
  | 'chmodSync'
>;

/** Who holds a lock: the CLI passes its pid and a liveness probe (kill(pid, 0)). */
export interface LockOwner {
  readonly pid: number;
  readonly isAlive: (pid: number) => boolean;
}

/** What marks a folder as a result set that may be replaced (both full and shard sets have it). */
export const RESULT_SET_MARKER = 'experiment.resolved.json';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_DIRECTORY } = fs.constants;
export const EXCLUSIVE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

export interface Names {
  readonly parent: string;
  readonly name: string;
  readonly lock: string;
  readonly journal: string;
  readonly stagingPrefix: string;
  readonly backupPrefix: string;
}

export function namesFor(outDir: string): Names {
  const target = resolve(outDir);
  const parent = dirname(target);
  const name = basename(target);
  if (name === '' || parent === target) throw new InputError([{ file: outDir, path: '--out', message: 'is the root of the file system; give a folder to hold the results' }]);
  return {
    parent,
    name,
    lock: join(parent, `.${name}.lock`),
    journal: join(parent, `.${name}.journal`),
    stagingPrefix: `.${name}.staging-`,
    backupPrefix: `.${name}.backup-`,
  };
}

/**
 * mkdir -p, one level at a time: Node 20's own recursive mkdirSync spins for ever where a parent
 * refuses creation with ENOENT (under /proc).
 */
export function makeFolders(ops: FileOps, path: string): void {
  const missing: string[] = [];
  for (let d = path; ; d = dirname(d)) {
    const st = ops.lstatSync(d, { throwIfNoEntry: false });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', syscall: 'mkdir', path: d });
      break;
    }
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) ops.mkdirSync(d);
}

export const exists = (ops: FileOps, path: string): fs.Stats | undefined => ops.lstatSync(path, { throwIfNoEntry: false });

export function fsyncDir(ops: FileOps, dir: string): void {
  const fd = ops.openSync(dir, O_RDONLY | O_DIRECTORY);
  try {
    ops.fsyncSync(fd);
  } finally {
    ops.closeSync(fd);
  }
}

/** Creates `path` (which must not exist, and is never a followed symlink), writes and fsyncs it. */
export function writeExclusive(ops: FileOps, path: string, content: string | Uint8Array): void {
  const fd = ops.openSync(path, EXCLUSIVE, 0o644);
  try {
    ops.writeFileSync(fd, content);
    ops.fsyncSync(fd);
  } finally {
    ops.closeSync(fd);
  }
}

/** Runs `step`; a file-system failure becomes exit 2 naming `path` and the reason in words. */
export function step<T>(path: string, doing: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof InputError || errnoCode(error) === undefined) throw error;
    throw fsInputError(path, doing, error);
  }
}

/** Best-effort removal on the way out of a failure; what stays is removed by the next writer's recovery. */
export function removeQuietly(ops: FileOps, path: string): void {
  try {
    ops.rmSync(path, { recursive: true, force: true });
  } catch {
    // Left for recovery: the journal (or its absence) says what this folder is.
  }
}
