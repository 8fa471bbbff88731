// The one way results reach disk: each file is written beside its target and renamed over it,
// so an interrupted run never leaves half a file where a good one stood.

import * as fs from 'node:fs';
import { dirname, join } from 'node:path';

export interface OutputFile {
  /** Path relative to the output folder, `/`-separated. */
  readonly path: string;
  readonly content: string | Uint8Array;
}

/** The file operations used; tests pass ones that fail on purpose. */
export interface FileOps {
  readonly mkdirSync: (path: string, options: { recursive: true }) => unknown;
  readonly writeFileSync: (path: string, content: string | Uint8Array) => void;
  readonly renameSync: (from: string, to: string) => void;
  readonly rmSync: (path: string, options: { force: true }) => void;
}

/**
 * Writes every file to a temporary name first, then renames them all into place. Nothing is
 * renamed unless every file was written.
 */
export function writeFilesAtomically(outDir: string, files: readonly OutputFile[], ops: FileOps = fs): void {
  const staged: [string, string][] = [];
  try {
    for (const f of files) {
      const target = join(outDir, f.path);
      ops.mkdirSync(dirname(target), { recursive: true });
      const temp = `${target}.tmp-${process.pid}`;
      // Staged before writing, so a write that fails halfway still has its temp file removed.
      staged.push([temp, target]);
      ops.writeFileSync(temp, f.content);
    }
  } catch (err) {
    for (const [temp] of staged) ops.rmSync(temp, { force: true });
    throw err;
  }
  for (const [temp, target] of staged) ops.renameSync(temp, target);
}
