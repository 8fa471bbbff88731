// One text file written by a command beside its results (a JUnit report), atomically: staged in a
// private folder beside it, then renamed over the old one, so a reader sees the old or the new file.

import * as fs from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { makeFolders, removeQuietly, step, writeExclusive } from './result-set-files.js';

export function writeTextFile(path: string, content: string): void {
  const full = resolve(path);
  const dir = dirname(full);
  step(dir, 'create the folder', () => makeFolders(fs, dir));
  const staging = step(dir, 'create a staging folder', () => fs.mkdtempSync(join(dir, `.${basename(full)}.staging-`)));
  try {
    const staged = join(staging, basename(full));
    step(full, 'write', () => writeExclusive(fs, staged, content));
    step(full, 'move into place', () => fs.renameSync(staged, full));
  } finally {
    removeQuietly(fs, staging);
  }
}
