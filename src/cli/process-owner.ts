// This process as the owner of an output folder's lock: its pid, and a probe telling whether a
// recorded pid still runs (kill with signal 0 delivers nothing, it only checks).

import type { LockOwner } from '../io/atomic-write.js';

export const thisProcess: LockOwner = {
  pid: process.pid,
  isAlive: (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it runs, under another user.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};
