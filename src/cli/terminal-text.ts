// Text bound for the terminal: control characters stripped (a name holding ESC sequences must
// not move the cursor, recolour or retitle the terminal), floods of issues capped, and each issue
// cut short so that an error about a file never echoes the whole file (/etc/passwd as a manifest).

import { formatIssue, type InputIssue } from '../input/problems.js';

/** The issues shown before `and N more`. */
export const MAX_ISSUES_SHOWN = 20;
/** Characters of one issue shown; what is cut is counted. */
export const MAX_ISSUE_CHARS = 200;

// C0 controls but tab and newline, DEL, and the C1 controls (U+0080–U+009F, CSI among them).
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is removed.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `s` without control characters (tabs and newlines kept); ESC is shown as the visible `^[`. */
export const printable = (s: string): string => s.replace(CONTROL, (c) => (c === '\u001b' ? '^[' : ''));

/** One line per issue, `error: ` first, the first MAX_ISSUES_SHOWN of them, then how many more. */
export function issueLines(issues: readonly InputIssue[]): string {
  const lines = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const text = printable(formatIssue(issue)).replace(/\n/g, '\\n');
    const cut = text.length > MAX_ISSUE_CHARS ? `${text.slice(0, MAX_ISSUE_CHARS)}… (${text.length - MAX_ISSUE_CHARS} more characters)` : text;
    return `error: ${cut}\n`;
  });
  if (issues.length > MAX_ISSUES_SHOWN) lines.push(`error: and ${issues.length - MAX_ISSUES_SHOWN} more\n`);
  return lines.join('');
}
