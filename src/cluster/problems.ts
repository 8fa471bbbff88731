// The input-error vocabulary lives in input/problems.ts, where every layer may import it; this
// path re-exports it for code that still imports it from the cluster folder.

export { formatIssue, InputError, type InputIssue } from '../input/problems.js';
