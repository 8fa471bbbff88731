// One text file written by a command beside its results (a JUnit report, a trace), atomically.

import { basename, dirname, resolve } from 'node:path';
import { writeFilesAtomically } from './atomic-write.js';

export function writeTextFile(path: string, content: string): void {
  const full = resolve(path);
  writeFilesAtomically(dirname(full), [{ path: basename(full), content }]);
}
