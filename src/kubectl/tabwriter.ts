// Column alignment as Go's text/tabwriter does it, which is what kubectl prints through:
// cells end at tabs, a column block is a run of lines that have that cell, and the text
// after a line's last tab is never padded.

export interface TabwriterOptions {
  readonly minWidth: number;
  readonly padding: number;
}

/** kubectl get (printers.GetNewTabWriter): minwidth 6, padding 3. */
export const GET_TABLE: TabwriterOptions = { minWidth: 6, padding: 3 };
/** kubectl describe (tabbedString): minwidth 0, padding 2. */
export const DESCRIBE: TabwriterOptions = { minWidth: 0, padding: 2 };

export function alignTabs(lines: readonly string[], options: TabwriterOptions): string {
  const cells = lines.map((l) => l.split('\t'));
  const widths = cells.map((row) => new Array<number>(Math.max(0, row.length - 1)).fill(0));
  const columns = Math.max(0, ...cells.map((row) => row.length - 1));
  for (let column = 0; column < columns; column++) {
    let line = 0;
    while (line < cells.length) {
      if (cells[line].length - 1 <= column) {
        line++;
        continue;
      }
      const start = line;
      let width = options.minWidth;
      while (line < cells.length && cells[line].length - 1 > column) {
        width = Math.max(width, cells[line][column].length + options.padding);
        line++;
      }
      for (let l = start; l < line; l++) widths[l][column] = width;
    }
  }
  return cells
    .map((row, l) => row.map((cell, c) => (c < row.length - 1 ? cell.padEnd(widths[l][c]) : cell)).join(''))
    .map((text) => `${text}\n`)
    .join('');
}

/** A `kubectl get` table: header and rows, each row one cell per column. */
export const formatTable = (header: readonly string[], rows: readonly (readonly string[])[]): string =>
  alignTabs([header, ...rows].map((r) => r.join('\t')), GET_TABLE);
