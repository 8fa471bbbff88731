// Tidy CSV text from rows, through @fast-csv/format. Numbers are written to 6 significant
// digits so files stay readable and identical across runs; NaN (undefined metric) is empty.

import { writeToString } from '@fast-csv/format';
import type { Cell, Row } from '../experiment/results.js';

export function formatCell(v: Cell | undefined, exact = false): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return Number.isNaN(v) ? '' : String(v);
  if (Number.isInteger(v) || exact) return String(v);
  return String(Number(v.toPrecision(6)));
}

/** `exact`: every number as its shortest round-trip form (runs.csv, so its CIs can be recomputed exactly). */
export function toCsv(columns: readonly string[], rows: readonly Row[], exact = false): Promise<string> {
  const table = rows.map((r) => columns.map((c) => formatCell(r[c], exact)));
  return writeToString([columns as string[], ...table], { includeEndRowDelimiter: true });
}
