import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputText } from '../../src/io/read-input.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-input-'));

describe('readInputText', () => {
  it('reads a regular file', () => {
    writeFileSync(join(dir, 'a.yaml'), 'name: a\n');
    expect(readInputText(join(dir, 'a.yaml'))).toBe('name: a\n');
  });

  it.each([
    ['/dev/zero', /\/dev\/zero: is a character device, expected a regular file/],
    [dir, /is a folder, expected a regular file/],
    ['/no/such.yaml', /\/no\/such\.yaml: no such file/],
  ])('refuses %s at once', (path, message) => {
    expect(() => readInputText(path)).toThrow(message);
  });

  it('refuses a FIFO without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    expect(() => readInputText(fifo)).toThrow(/is a FIFO \(named pipe\), expected a regular file/);
  });

  it('refuses a file over the limit, naming the flag that raises it', () => {
    writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(1001));
    expect(() => readInputText(join(dir, 'big.yaml'), 1000)).toThrow(/is larger than the input limit of 1000 bytes; raise it with --max-input/);
    expect(readInputText(join(dir, 'big.yaml'), 1001)).toHaveLength(1001);
  });
});
