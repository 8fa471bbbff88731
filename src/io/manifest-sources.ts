// Where manifests come from, as kubectl's -f takes them: files, `-` for standard input, and
// directories (their .json, .yaml and .yml files, by name; with -R their subdirectories too).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { InputError, type InputIssue } from '../input/problems.js';
import { parseManifestDocs, readManifestFiles } from './read-manifests.js';

/** kubectl's resource.FileExtensions: the files a directory contributes. */
const EXTENSIONS = ['.json', '.yaml', '.yml'];
/** The name standard input goes by in messages, as kubectl calls it. */
export const STDIN_NAME = '<stdin>';

export interface SourceOptions {
  /** -R: descend into subdirectories. */
  readonly recursive?: boolean;
  /** Reads standard input; injected so tests need no process. */
  readonly readStdin?: () => string;
}

function directoryFiles(dir: string, recursive: boolean, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) directoryFiles(path, recursive, out);
    } else if (EXTENSIONS.some((ext) => entry.name.endsWith(ext))) out.push(path);
  }
}

/** Expands directories and reads every source; every unreadable file and syntax error is reported at once. */
export function readManifestSources(sources: readonly string[], options: SourceOptions = {}): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  const issues: InputIssue[] = [];
  const readFile = (file: string): void => {
    try {
      docs.push(...readManifestFiles([file]));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.push(...error.issues);
    }
  };
  // Documents keep the order of the sources, so what is allocated first does not depend on how -f was split.
  for (const source of sources) {
    if (source === '-') {
      const result = parseManifestDocs(STDIN_NAME, (options.readStdin ?? (() => readFileSync(0, 'utf8')))());
      docs.push(...result.docs);
      issues.push(...result.issues);
      continue;
    }
    let isDirectory = false;
    try {
      isDirectory = statSync(source).isDirectory();
    } catch {
      // Left to the file reader, which names the problem (no such file, permission denied).
    }
    if (!isDirectory) {
      readFile(source);
      continue;
    }
    const found: string[] = [];
    directoryFiles(source, options.recursive === true, found);
    if (found.length === 0) {
      issues.push({ file: source, path: '', message: `no ${EXTENSIONS.join(', ')} files in this directory${options.recursive === true ? ' or below' : ' (add -R to read subdirectories)'}` });
    }
    found.forEach(readFile);
  }
  if (issues.length > 0) throw new InputError(issues);
  return docs;
}
