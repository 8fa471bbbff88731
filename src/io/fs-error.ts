// File-system failures as user-facing issues: the path and the reason in words, never a stack
// trace. A failing disk, a read-only mount or a folder where a file goes is the user's setup to
// fix (exit 2), not a bug in the tool.

import { InputError } from '../input/problems.js';

/** errno codes in words; the code stays in brackets so it can be searched for. */
const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'a part of the path is not a folder',
  ENOTEMPTY: 'the folder is not empty',
  ELOOP: 'is a symbolic link, or a loop of them, where none is followed',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'input/output error',
  EBUSY: 'the file or folder is busy',
  EXDEV: 'crosses file systems',
  EFBIG: 'the file is too large',
  EINVAL: 'invalid argument for this file',
  ETXTBSY: 'the file is busy',
  EAGAIN: 'the resource is temporarily unavailable',
};

export const errnoCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as NodeJS.ErrnoException).code === 'string' ? (error as NodeJS.ErrnoException).code : undefined;

/** `no space left on the device (ENOSPC)`; an error without a code keeps its own message. */
export function reasonInWords(error: unknown): string {
  const code = errnoCode(error);
  if (code === undefined) return error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `${REASONS[code] ?? 'failed'} (${code})`;
}

/** True for errors that node:fs throws (they carry an errno code and a syscall). */
export const isFsError = (error: unknown): error is NodeJS.ErrnoException =>
  errnoCode(error) !== undefined && typeof (error as NodeJS.ErrnoException).syscall === 'string';

/** An InputError naming `file` and what the file system said, e.g. `cannot write: ... (EROFS)`. */
export function fsInputError(file: string, doing: string, error: unknown): InputError {
  return new InputError([{ file, path: '', message: `cannot ${doing}: ${reasonInWords(error)}` }]);
}
