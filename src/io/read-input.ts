// Reading an input file with bounds: only a regular file (or stdin, as `-`) is read, and only up
// to a size limit, so a FIFO, /dev/zero or a multi-gigabyte file is refused at once instead of
// hanging or exhausting memory.

import * as fs from 'node:fs';
import { InputError } from '../input/problems.js';
import { fsInputError } from './fs-error.js';

/** 64 MiB of YAML is about a million objects; raise it with --max-input. */
export const DEFAULT_MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** `-` names standard input. */
export const STDIN = '-';

const kindOf = (st: fs.Stats): string =>
  st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'not a regular file';

const tooLarge = (file: string, limit: number): InputError =>
  new InputError([{ file, path: '', message: `is larger than the input limit of ${limit} bytes; raise it with --max-input if this file is meant` }]);

/** Reads up to `limit` bytes from an open descriptor, refusing anything longer. */
function readBounded(file: string, fd: number, limit: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  const buffer = Buffer.allocUnsafe(1 << 16);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      // A non-blocking stdin with nothing yet: wait for it rather than spin.
      if ((error as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        continue;
      }
      throw fsInputError(file, 'read', error);
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw tooLarge(file, limit);
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of a regular file (or of stdin for `-`), at most `limit` bytes. */
export function readInputText(file: string, limit: number = DEFAULT_MAX_INPUT_BYTES): string {
  if (file === STDIN) return readBounded('<stdin>', 0, limit);
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise block for ever before fstat.
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError([{ file, path: '', message: 'no such file' }]);
    throw fsInputError(file, 'read', error);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new InputError([{ file, path: '', message: `is ${kindOf(st)}, expected a regular file (or - for stdin)` }]);
    if (st.size > limit) throw tooLarge(file, limit);
    return readBounded(file, fd, limit);
  } finally {
    fs.closeSync(fd);
  }
}
