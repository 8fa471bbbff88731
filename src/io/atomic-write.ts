// The one way results reach disk: a result set (the whole --out folder) is replaced whole or not
// at all, so a reader, an error, an interrupt or a power cut leaves the complete old set or the
// complete new one, never a mix and never files of an earlier run beside new ones.
//
// rename(2) cannot replace a non-empty folder and Node has no renameat2(RENAME_EXCHANGE), so the
// swap is three renames recorded in a journal. For an output folder NAME, beside it:
//   1. `.NAME.lock`, created exclusively, holds the writer's pid: one writer per folder.
//   2. Leftovers of an interrupted writer are recovered (below) before anything else.
//   3. `.NAME.staging-XXXXXX` (mkdtemp: private, unpredictable) receives every file, each opened
//      O_CREAT|O_EXCL|O_NOFOLLOW and fsynced, then the folders are fsynced.
//   4. `.NAME.journal` = {staging, backup} is written to a temporary name, fsynced and renamed in.
//   5. NAME → `.NAME.backup-XXXXXX` (when NAME exists), then staging → NAME; the parent is fsynced.
//   6. The journal is removed (the commit point is staging's disappearance, see below), then the
//      backup, then the lock.
// Recovery, with the journal present: if the staging folder is gone, step 5 finished and NAME is
// the complete new set: the backup goes. If it is still there, step 5 did not finish: a missing
// NAME gets its backup back and the staging folder goes. Without a journal, staging and backup
// folders are debris of a writer stopped before step 4 or after step 6, and go. Between the two
// renames of step 5 NAME is missing for an instant; `settleResultSet` (what `merge` calls before
// reading a folder) recovers it from the journal.

import * as fs from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
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
const EXCLUSIVE = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;

interface Names {
  readonly parent: string;
  readonly name: string;
  readonly lock: string;
  readonly journal: string;
  readonly stagingPrefix: string;
  readonly backupPrefix: string;
}

function namesFor(outDir: string): Names {
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
function makeFolders(ops: FileOps, path: string): void {
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

const exists = (ops: FileOps, path: string): fs.Stats | undefined => ops.lstatSync(path, { throwIfNoEntry: false });

function fsyncDir(ops: FileOps, dir: string): void {
  const fd = ops.openSync(dir, O_RDONLY | O_DIRECTORY);
  try {
    ops.fsyncSync(fd);
  } finally {
    ops.closeSync(fd);
  }
}

/** Creates `path` (which must not exist, and is never a followed symlink), writes and fsyncs it. */
function writeExclusive(ops: FileOps, path: string, content: string | Uint8Array): void {
  const fd = ops.openSync(path, EXCLUSIVE, 0o644);
  try {
    ops.writeFileSync(fd, content);
    ops.fsyncSync(fd);
  } finally {
    ops.closeSync(fd);
  }
}

/** Runs `step`; a file-system failure becomes exit 2 naming `path` and the reason in words. */
function step<T>(path: string, doing: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (error instanceof InputError || errnoCode(error) === undefined) throw error;
    throw fsInputError(path, doing, error);
  }
}

/** Best-effort removal on the way out of a failure; what stays is removed by the next writer's recovery. */
function removeQuietly(ops: FileOps, path: string): void {
  try {
    ops.rmSync(path, { recursive: true, force: true });
  } catch {
    // Left for recovery: the journal (or its absence) says what this folder is.
  }
}

interface Journal {
  readonly staging: string;
  readonly backup: string;
}

function readJournal(ops: FileOps, n: Names): Journal | undefined {
  let text: string;
  try {
    text = ops.readFileSync(n.journal, 'utf8') as string;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw fsInputError(n.journal, 'read the journal of an interrupted write', error);
  }
  let j: Partial<Journal> | undefined;
  try {
    j = JSON.parse(text) as Partial<Journal>;
  } catch {
    j = undefined;
  }
  // Only names of this folder's own staging and backup folders are ever acted on.
  const ours = (v: unknown, prefix: string) => typeof v === 'string' && v.startsWith(prefix) && !v.includes('/') && !v.includes(sep);
  if (!j || !ours(j.staging, n.stagingPrefix) || !ours(j.backup, n.backupPrefix)) {
    // A journal only becomes visible complete (written then renamed), so this one was tampered with.
    throw new InputError([{ file: n.journal, path: '', message: 'is not a journal this tool wrote; remove it after checking the folders beside it' }]);
  }
  return j as Journal;
}

export type Recovery = 'clean' | 'kept-new' | 'restored-old' | 'removed-debris';

/** Finishes or undoes what an interrupted writer left; call only while holding the lock. */
export function recoverResultSet(outDir: string, ops: FileOps = fs, owner?: LockOwner): Recovery {
  const n = namesFor(outDir);
  const target = join(n.parent, n.name);
  const journal = readJournal(ops, n);
  let outcome: Recovery = 'clean';
  if (journal) {
    const staging = join(n.parent, journal.staging);
    const backup = join(n.parent, journal.backup);
    if (exists(ops, staging)) {
      if (!exists(ops, target) && exists(ops, backup)) step(target, 'restore the previous results', () => ops.renameSync(backup, target));
      step(staging, 'remove an unfinished result set', () => ops.rmSync(staging, { recursive: true, force: true }));
      outcome = 'restored-old';
    } else {
      step(backup, 'remove the previous results', () => ops.rmSync(backup, { recursive: true, force: true }));
      outcome = 'kept-new';
    }
    step(n.parent, 'sync the output folder', () => fsyncDir(ops, n.parent));
    step(n.journal, 'remove the journal', () => ops.unlinkSync(n.journal));
  }
  const names = step(n.parent, 'list the folder', () => ops.readdirSync(n.parent) as string[]);
  for (const entry of names) {
    // A locker's own pid file (`.NAME.lock-PID`) is debris once that process is gone.
    const lockerPid = entry.startsWith(`.${n.name}.lock-`) ? Number(entry.slice(`.${n.name}.lock-`.length)) : Number.NaN;
    const deadLocker = Number.isInteger(lockerPid) && owner !== undefined && lockerPid !== owner.pid && !owner.isAlive(lockerPid);
    const debris = deadLocker || entry.startsWith(n.stagingPrefix) || entry.startsWith(n.backupPrefix) || entry === `.${n.name}.journal.tmp`;
    if (!debris) continue;
    step(join(n.parent, entry), 'remove debris of an interrupted write', () => ops.rmSync(join(n.parent, entry), { recursive: true, force: true }));
    if (outcome === 'clean') outcome = 'removed-debris';
  }
  return outcome;
}

/** The lock on one output folder; `release` is idempotent. */
export interface ResultSetLock {
  readonly outDir: string;
  release(): void;
}

/**
 * Takes the folder's lock (a second writer exits 2 naming the first one's pid; the lock of a
 * writer that is gone is taken over) and recovers leftovers of an interrupted write.
 */
export function lockResultSet(outDir: string, owner: LockOwner, ops: FileOps = fs): ResultSetLock {
  const n = namesFor(outDir);
  step(n.parent, 'create the folder', () => makeFolders(ops, n.parent));
  for (let attempt = 0; ; attempt++) {
    // The pid is written in full to a file of this process's own, then linked to the lock name:
    // link(2) fails if the lock exists, and a lock never exists without its pid.
    const mine = `${n.lock}-${owner.pid}`;
    step(mine, 'create the lock of the output folder', () => {
      ops.rmSync(mine, { force: true });
      writeExclusive(ops, mine, `${owner.pid}\n`);
    });
    let linked = false;
    try {
      ops.linkSync(mine, n.lock);
      linked = true;
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') {
        removeQuietly(ops, mine);
        throw fsInputError(n.lock, 'create the lock of the output folder', error);
      }
    }
    step(mine, 'create the lock of the output folder', () => ops.unlinkSync(mine));
    if (linked) break;
    let holder = Number.NaN;
    try {
      holder = Number.parseInt(ops.readFileSync(n.lock, 'utf8') as string, 10);
    } catch (error) {
      // Gone meanwhile: its holder finished; try again.
      if (errnoCode(error) !== 'ENOENT') throw fsInputError(n.lock, 'read the lock of the output folder', error);
    }
    // A lock naming this very process is one its own release failed to remove.
    if (attempt > 0 || (Number.isInteger(holder) && holder !== owner.pid && owner.isAlive(holder))) {
      throw new InputError([
        {
          file: resolve(outDir),
          path: '',
          message: `another nodeport-sim (pid ${Number.isInteger(holder) ? holder : 'unknown'}) is writing these results; wait for it to finish, or remove ${n.lock} if no such process runs`,
        },
      ]);
    }
    // The holder died (SIGKILL, power cut): its lock is stale.
    if (Number.isInteger(holder)) step(n.lock, 'remove a stale lock', () => ops.unlinkSync(n.lock));
  }
  let held = true;
  const lock: ResultSetLock = {
    outDir: resolve(outDir),
    release() {
      if (!held) return;
      held = false;
      step(n.lock, 'remove the lock', () => ops.unlinkSync(n.lock));
    },
  };
  try {
    recoverResultSet(outDir, ops, owner);
  } catch (error) {
    lock.release();
    throw error;
  }
  return lock;
}

/** Refuses to replace anything that is not a result set: a file, a link, a folder of other files. */
function checkReplaceable(ops: FileOps, target: string): boolean {
  const st = step(target, 'inspect the output folder', () => exists(ops, target));
  if (!st) return false;
  if (st.isSymbolicLink()) throw new InputError([{ file: target, path: '--out', message: 'is a symbolic link; give the folder it points to' }]);
  if (!st.isDirectory()) throw new InputError([{ file: target, path: '--out', message: 'exists and is not a folder' }]);
  const entries = step(target, 'list the output folder', () => ops.readdirSync(target) as string[]);
  if (entries.length > 0 && !entries.includes(RESULT_SET_MARKER)) {
    throw new InputError([
      { file: target, path: '--out', message: `holds files that are not results of this tool (no ${RESULT_SET_MARKER}), which a new result set would replace; give a new or empty folder` },
    ]);
  }
  return true;
}

function checkRelativePath(path: string): void {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..')) throw new Error(`result file path "${path}" is not a plain relative path`);
}

/** Replaces the locked folder with exactly `files`; on failure the old set stays, whole. */
export function replaceResultSet(lock: ResultSetLock, files: readonly OutputFile[], ops: FileOps = fs): void {
  const n = namesFor(lock.outDir);
  const target = join(n.parent, n.name);
  const hadOld = checkReplaceable(ops, target);
  for (const f of files) checkRelativePath(f.path);

  const staging = step(n.parent, 'create a staging folder', () => ops.mkdtempSync(join(n.parent, n.stagingPrefix)));
  const backup = join(n.parent, `${n.backupPrefix}${basename(staging).slice(n.stagingPrefix.length)}`);
  try {
    const folders = new Set<string>([staging]);
    for (const f of files) {
      const path = join(staging, ...f.path.split('/'));
      const folder = dirname(path);
      if (!folders.has(folder)) {
        step(folder, 'create a folder', () => makeFolders(ops, folder));
        for (let d = folder; d !== staging && !folders.has(d); d = dirname(d)) folders.add(d);
      }
      step(join(target, f.path), 'write', () => writeExclusive(ops, path, f.content));
    }
    // mkdtemp makes the folder private (0700); the results are for anyone who may read the parent.
    step(staging, 'set the folder mode', () => ops.chmodSync(staging, 0o755));
    for (const d of [...folders].sort((a, b) => b.length - a.length)) step(d, 'sync a folder', () => fsyncDir(ops, d));

    const journalTmp = join(n.parent, `.${n.name}.journal.tmp`);
    step(journalTmp, 'write the journal', () => {
      ops.rmSync(journalTmp, { force: true });
      writeExclusive(ops, journalTmp, `${JSON.stringify({ staging: basename(staging), backup: basename(backup) })}\n`);
      ops.renameSync(journalTmp, n.journal);
      fsyncDir(ops, n.parent);
    });
  } catch (error) {
    // Nothing visible changed yet: drop the staging folder and keep the old set.
    removeQuietly(ops, staging);
    throw error;
  }

  try {
    if (hadOld) step(target, 'move the previous results aside', () => ops.renameSync(target, backup));
    step(target, 'move the new results into place', () => ops.renameSync(staging, target));
    step(n.parent, 'sync the output folder', () => fsyncDir(ops, n.parent));
  } catch (error) {
    // Undo in place when the file system still answers; otherwise the journal lets the next writer.
    try {
      recoverResultSet(lock.outDir, ops);
    } catch {
      // The journal stays; lockResultSet recovers from it.
    }
    throw error;
  }
  step(n.journal, 'remove the journal', () => ops.unlinkSync(n.journal));
  step(n.parent, 'sync the output folder', () => fsyncDir(ops, n.parent));
  step(backup, 'remove the previous results', () => ops.rmSync(backup, { recursive: true, force: true }));
}

/**
 * For readers: if a writer was interrupted mid-swap and no writer holds the lock, recovers the
 * folder so it holds a complete set. A folder being written by a live process is refused.
 */
export function settleResultSet(outDir: string, owner: LockOwner, ops: FileOps = fs): void {
  const n = namesFor(outDir);
  const ours = (entry: string) => entry.startsWith(`.${n.name}.`);
  const names = step(n.parent, 'list the folder', () => ops.readdirSync(n.parent) as string[]);
  if (!names.some(ours)) return;
  lockResultSet(outDir, owner, ops).release();
}

/** Lock, replace, release: the whole write of one result set. */
export function writeResultSet(outDir: string, files: readonly OutputFile[], owner: LockOwner, ops: FileOps = fs): void {
  const lock = lockResultSet(outDir, owner, ops);
  try {
    replaceResultSet(lock, files, ops);
  } finally {
    lock.release();
  }
}
