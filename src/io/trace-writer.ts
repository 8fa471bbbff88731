// A CSV file written as rows arrive, in chunks, so a trace of millions of requests never sits in
// memory; it is written under a temporary name and renamed into place only when complete.

import * as fs from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Bytes gathered before each write. */
const CHUNK = 1 << 16;

const cellText = (v: string | number): string => {
  const text = String(v);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export class CsvStream {
  private readonly path: string;
  private readonly temp: string;
  private readonly fd: number;
  private pending: string[] = [];
  private size = 0;

  constructor(path: string, columns: readonly string[]) {
    this.path = resolve(path);
    fs.mkdirSync(dirname(this.path), { recursive: true });
    this.temp = `${this.path}.tmp-${process.pid}`;
    this.fd = fs.openSync(this.temp, 'w');
    this.row(columns);
  }

  row(cells: readonly (string | number)[]): void {
    const line = `${cells.map(cellText).join(',')}\n`;
    this.pending.push(line);
    this.size += line.length;
    if (this.size >= CHUNK) this.flush();
  }

  /** Writes what is left and puts the file in place. */
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
    fs.renameSync(this.temp, this.path);
  }

  /** Drops the unfinished file (the run failed). */
  abort(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.temp, { force: true });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    fs.writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.size = 0;
  }
}
