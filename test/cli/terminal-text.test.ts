import { describe, expect, it } from 'vitest';
import { issueLines, MAX_ISSUE_CHARS, MAX_ISSUES_SHOWN, printable } from '../../src/cli/terminal-text.js';

describe('terminal text', () => {
  it('removes the controls a name could use against the terminal, keeping tabs and newlines', () => {
    // CSI colour, OSC window title ended by BEL, a C1 CSI, a backspace, DEL.
    const hostile = 'a\u001b[31mred\u001b]0;pwned\u0007\u009b2J\bb\u007f\tc\nd';
    const shown = printable(hostile);
    expect(shown).toBe('a^[[31mred^[]0;pwned2Jb\tc\nd');
    expect([...shown].every((ch) => ch === '\t' || ch === '\n' || (ch >= ' ' && ch !== '\u007f' && !(ch >= '\u0080' && ch <= '\u009f')))).toBe(true);
  });

  it(`shows the first ${MAX_ISSUES_SHOWN} issues, then how many more`, () => {
    const issues = Array.from({ length: 57 }, (_, i) => ({ file: 'm.yaml', path: `items[${i}]`, message: 'bad' }));
    const lines = issueLines(issues).trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_ISSUES_SHOWN + 1);
    expect(lines[0]).toBe('error: m.yaml: items[0]: bad');
    expect(lines[MAX_ISSUES_SHOWN]).toBe(`error: and ${57 - MAX_ISSUES_SHOWN} more`);
  });

  it('cuts an issue that would echo a whole file, counting what it cut', () => {
    const passwd = Array.from({ length: 40 }, (_, i) => `user${i}:x:${i}:${i}::/home/user${i}:/bin/sh`).join('\n');
    const line = issueLines([{ file: '/etc/passwd', path: '', message: `expected a mapping, got ${JSON.stringify(passwd)}` }]);
    expect(line.split('\n')).toHaveLength(2);
    const full = `/etc/passwd: expected a mapping, got ${JSON.stringify(passwd)}`;
    expect(line).toBe(`error: ${full.slice(0, MAX_ISSUE_CHARS)}… (${full.length - MAX_ISSUE_CHARS} more characters)\n`);
  });
});
