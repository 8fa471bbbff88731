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
import { basename, dirname, join } from 'node:path';
import { InputError } from '../input/problems.js';
import { exists, type FileOps, fsyncDir, type LockOwner, makeFolders, namesFor, type OutputFile, RESULT_SET_MARKER, removeQuietly, step, writeExclusive } from './result-set-files.js';
import { lockResultSet, recoverResultSet, type ResultSetLock } from './result-set-recovery.js';

export type { FileOps, LockOwner, OutputFile } from './result-set-files.js';
export { RESULT_SET_MARKER } from './result-set-files.js';
export { lockResultSet, type Recovery, recoverResultSet, type ResultSetLock } from './result-set-recovery.js';

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
