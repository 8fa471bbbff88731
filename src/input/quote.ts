// A short, escaped excerpt of a user's value for an error message: a message never carries a
// whole document or raw control characters, whatever the input held.

/** Longest excerpt quoted, in characters, before it is cut with an ellipsis. */
const MAX_EXCERPT = 64;

/** `"Bad_Name!!"` for a string, `8080` for a number; long strings are cut, control characters escaped. */
export function quote(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > MAX_EXCERPT ? `${value.slice(0, MAX_EXCERPT)}...` : value;
    return JSON.stringify(cut);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}
