// The one way results reach disk: each file is written beside its target and renamed over it,
// so an interrupted run never leaves half a file where a good one stood.

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface OutputFile {
  /** Path relative to the output folder, `/`-separated. */
  readonly path: string;
  readonly content: string | Uint8Array;
}

/**
 * Writes every file to a temporary name first, then renames them all into place. Nothing is
 * renamed unless every file was written.
 */
export function writeFilesAtomically(outDir: string, files: readonly OutputFile[]): void {
  const staged: [string, string][] = [];
  try {
    for (const f of files) {
      const target = join(outDir, f.path);
      mkdirSync(dirname(target), { recursive: true });
      const temp = `${target}.tmp-${process.pid}`;
      writeFileSync(temp, f.content);
      staged.push([temp, target]);
    }
  } catch (err) {
    for (const [temp] of staged) rmSync(temp, { force: true });
    throw err;
  }
  for (const [temp, target] of staged) renameSync(temp, target);
}
