// Where each key and list item of a YAML document starts, so a message about a value can name
// the line to fix. Paths are lists of segments (a map key, a list index), since a key may
// itself hold dots (`sweep: {proxy.mode: [...]}`).

import { isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from 'yaml';

export type Segment = string | number;
export type PathLines = ReadonlyMap<string, number>;

/** The map key for a path of segments. */
export const segmentsKey = (segments: readonly Segment[]): string => JSON.stringify(segments);

/** 1-based line of every key and item of the text's first non-empty document (none if it has errors). */
export function yamlPathLines(text: string): PathLines {
  const lineCounter = new LineCounter();
  const lines = new Map<string, number>();
  const document = parseAllDocuments(text, { lineCounter, logLevel: 'silent' }).find((d) => d.contents !== null);
  if (document === undefined || document.errors.length > 0) return lines;
  const visit = (node: unknown, at: readonly Segment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key) || pair.key.range === undefined || pair.key.range === null) continue;
        const path = [...at, String(pair.key.value)];
        lines.set(segmentsKey(path), lineCounter.linePos(pair.key.range[0]).line);
        visit(pair.value, path);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const path = [...at, index];
        const range = (item as Node | null)?.range;
        if (range) lines.set(segmentsKey(path), lineCounter.linePos(range[0]).line);
        visit(item, path);
      });
    }
  };
  visit(document.contents, []);
  return lines;
}

/** The line of the path, else of its nearest enclosing key or item that the text has. */
export function lineOf(lines: PathLines, segments: readonly Segment[]): number | undefined {
  for (let n = segments.length; n > 0; n--) {
    const line = lines.get(segmentsKey(segments.slice(0, n)));
    if (line !== undefined) return line;
  }
  return undefined;
}
