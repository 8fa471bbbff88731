// Tidy CSV text from rows, through @fast-csv/format. Numbers are written to 6 significant
// digits so files stay readable and identical across runs; NaN (undefined metric) is empty.
// A text cell that a spreadsheet would run as a formula gets a leading apostrophe (OWASP's
// advice for CSV injection), so a name like `=cmd|' /C calc'!A0` stays text.

import { writeToString } from '@fast-csv/format';
import type { Cell, Row } from '../experiment/results.js';

/** Spreadsheets start a formula at =, +, -, @, and (LibreOffice, Excel) after a tab or CR. */
const FORMULA_START = /^[=+\-@\t\r]/;

export const guardFormula = (text: string): string => (FORMULA_START.test(text) ? `'${text}` : text);

export function formatCell(v: Cell | undefined, exact = false): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return guardFormula(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '' : String(v);
  if (Number.isInteger(v) || exact) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** `exact`: every number as its shortest round-trip form (runs.csv, so its CIs can be recomputed exactly). */
export function toCsv(columns: readonly string[], rows: readonly Row[], exact = false): Promise<string> {
  const table = rows.map((r) => columns.map((c) => formatCell(r[c], exact)));
  return writeToString([columns as string[], ...table], { includeEndRowDelimiter: true });
}
