// Taking an output folder's lock and recovering what an interrupted writer left beside it, from
// its journal (the scheme is at the top of atomic-write.ts).

import * as fs from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { InputError } from '../input/problems.js';
import { errnoCode, fsInputError } from './fs-error.js';
import { exists, type FileOps, fsyncDir, type LockOwner, makeFolders, namesFor, type Names, removeQuietly, step, writeExclusive } from './result-set-files.js';

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
