// The one convention of every machine-readable output (get, diagnose, rules): JSON or YAML on
// stdout with the keys of every object in sorted order, as kubectl prints its objects (Go's
// encoding/json and yaml sort map keys), so the same input always gives the same bytes.

import { stringify } from 'yaml';

/** A JSON value as the printers take it. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** A copy with every object's keys in sorted order; arrays keep theirs. */
export function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const object = value as { readonly [key: string]: JsonValue };
    const out: Record<string, JsonValue> = {};
    for (const key of Object.keys(object).sort()) out[key] = sortKeys(object[key]);
    return out;
  }
  return value;
}

/** kubectl indents -o json by four spaces. */
export const formatJson = (value: JsonValue): string => `${JSON.stringify(sortKeys(value), null, 4)}\n`;

/** kubectl's YAML layout: sequences not indented under their key, no line folding. */
export const formatYaml = (value: JsonValue): string => stringify(sortKeys(value), { indentSeq: false, lineWidth: 0 });

/** What `get -o json|yaml` prints for anything but one named object. */
export const listObject = (items: readonly JsonObject[]): JsonObject => ({ apiVersion: 'v1', items: [...items], kind: 'List', metadata: { resourceVersion: '' } });
