import { describe, expect, it } from 'vitest';
import { formatCell, toCsv } from '../../src/io/csv.js';

describe('CSV cells', () => {
  // OWASP "CSV Injection": cells starting with =, +, -, @, tab or carriage return are formulas.
  it.each(['=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'])('prefixes the text cell %j with an apostrophe', (text) => {
    expect(formatCell(text)).toBe(`'${text}`);
  });

  it.each(['nginx-7d9c', 'iptables', 'Cluster', '[1,2,0]', 'a=b'])('leaves the plain text %j alone', (text) => {
    expect(formatCell(text)).toBe(text);
  });

  it('leaves negative numbers as numbers', () => {
    expect(formatCell(-1.5)).toBe('-1.5');
    expect(formatCell(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });

  it('keeps a guarded cell one cell (quoted where it holds a delimiter)', async () => {
    const text = await toCsv(['pod', 'n'], [{ pod: '=HYPERLINK("http://x","y")', n: 1 }]);
    expect(text).toBe('pod,n\n"\'=HYPERLINK(""http://x"",""y"")",1\n');
  });
});
