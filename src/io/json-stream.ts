// A stream of JSON values, as `kubectl cluster-info dump` prints them: one pretty-printed List
// per resource type, one after another, with each container's log between `==== START logs`
// and `==== END logs` lines. YAML cannot read a second top-level value, so such text is split here.

/** One value of the stream and the 1-based line it starts on. */
export interface JsonStreamValue {
  readonly line: number;
  readonly value: unknown;
}

export type JsonStreamResult =
  | { readonly ok: true; readonly values: readonly JsonStreamValue[] }
  | { readonly ok: false; readonly line: number; readonly message: string };

const LOG_START = '==== START logs for';
const LOG_END = '==== END logs for';

/** Whether the text is a JSON value stream rather than YAML: its first non-blank character opens an object. */
export function looksLikeJsonStream(text: string): boolean {
  const first = /\S/.exec(text);
  return first !== null && first[0] === '{';
}

/** The index just past the object or array opening at `start`, or -1 when it never closes. */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // a backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Splits and parses the stream; log sections are skipped. Line numbers count from 1. */
export function parseJsonStream(text: string): JsonStreamResult {
  const values: JsonStreamValue[] = [];
  let line = 1;
  let i = 0;
  const advance = (to: number): void => {
    for (let k = i; k < to; k++) if (text.charCodeAt(k) === 10) line++;
    i = to;
  };
  while (i < text.length) {
    const rest = /\S/.exec(text.slice(i, i + 4096));
    if (rest === null) {
      if (i + 4096 >= text.length) break;
      advance(i + 4096);
      continue;
    }
    advance(i + rest.index);
    if (text.startsWith(LOG_START, i)) {
      const end = text.indexOf(LOG_END, i);
      const after = end < 0 ? text.length : text.indexOf('\n', end);
      advance(after < 0 ? text.length : after + 1);
      continue;
    }
    const c = text[i];
    if (c !== '{' && c !== '[') return { ok: false, line, message: `expected a JSON object, found ${JSON.stringify(text.slice(i, i + 20))}` };
    const end = closingIndex(text, i);
    if (end < 0) return { ok: false, line, message: 'a JSON value that never closes' };
    let value: unknown;
    try {
      value = JSON.parse(text.slice(i, end));
    } catch (error) {
      return { ok: false, line, message: (error as Error).message };
    }
    values.push({ line, value });
    advance(end);
  }
  return { ok: true, values };
}
