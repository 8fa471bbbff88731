// The few files the benchmark needs: a scratch folder for the runs it times, an experiment
// written there, and runs.csv read back. Only `npm run bench` uses these.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const scratchDir = (): string => mkdtempSync(join(tmpdir(), 'nodeport-sim-bench-'));

export function writeScratchFile(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** A CSV this program wrote whose cells hold no commas or quotes (no swept lists), as records. */
export function readPlainCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const columns = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
}
