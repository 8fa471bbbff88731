// Reads multi-document Kubernetes YAML into ManifestDocs; a syntax error becomes an
// InputError naming the file and line.

import { LineCounter, parseAllDocuments } from 'yaml';
import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { InputError, type InputIssue } from '../input/problems.js';
import { DEFAULT_MAX_INPUT_BYTES, readInputText } from './read-input.js';
import { looksLikeJsonStream, parseJsonStream } from './json-stream.js';

export type { ManifestDoc } from '../cluster/manifest-doc.js';

/** One file's documents and syntax issues; JSON value streams (`kubectl cluster-info dump`) included. */
export function parseManifestDocs(file: string, text: string): { docs: ManifestDoc[]; issues: InputIssue[] } {
  if (looksLikeJsonStream(text)) {
    const stream = parseJsonStream(text);
    // Not JSON after all (a YAML flow mapping such as `{kind: Service}`): YAML reads it below.
    if (stream.ok) return { docs: stream.values.map((v, index) => ({ file, index, doc: v.value })), issues: [] };
  }
  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line and the line number comes from the counter.
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const docs: ManifestDoc[] = [];
  const issues: InputIssue[] = [];
  const all = Array.isArray(parsed) ? parsed : [parsed];
  all.forEach((document, index) => {
    for (const error of document.errors) {
      issues.push({ file, line: lineCounter.linePos(error.pos[0]).line, path: '', message: error.message });
    }
    if (document.errors.length > 0) return;
    let doc: unknown;
    try {
      doc = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // Parsing passed, but building values can still fail: an alias to no anchor, an alias bomb.
      issues.push({ file, line: lineCounter.linePos(document.range[0]).line, path: '', message: (error as Error).message });
      return;
    }
    // An empty document (`---` twice, a trailing `---`) is no object at all, as for kubectl.
    if (doc === null || doc === undefined) return;
    docs.push({ file, index, doc });
  });
  return { docs, issues };
}

/** Parses one file's text; pure, so tests need no files. */
export function parseManifestText(file: string, text: string): ManifestDoc[] {
  const { docs, issues } = parseManifestDocs(file, text);
  if (issues.length > 0) throw new InputError(issues);
  return docs;
}

/** Reads and parses every file (each a regular file or `-`, at most `maxBytes`), reporting all unreadable files and syntax errors at once. */
export function readManifestFiles(paths: readonly string[], maxBytes: number = DEFAULT_MAX_INPUT_BYTES): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  const issues: InputIssue[] = [];
  for (const file of paths) {
    let text: string;
    try {
      text = readInputText(file, maxBytes);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      issues.push(...error.issues);
      continue;
    }
    const result = parseManifestDocs(file, text);
    docs.push(...result.docs);
    issues.push(...result.issues);
  }
  if (issues.length > 0) throw new InputError(issues);
  return docs;
}
