// Preload (node --import) that kills this process with KILL_SIGNAL at the KILL_AT_STEP-th
// file-system change under KILL_UNDER, or with KILL_AT_STEP=0 only counts them into
// KILL_COUNT_FILE: signals at each step of writing results, without sleeps.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const fs = createRequire(import.meta.url)('node:fs');

// A forked child (the chart process, a --jobs child) inherits this preload; only the parent's steps count.
const under = process.send === undefined ? (process.env.KILL_UNDER ?? '') : '';
const at = Number(process.env.KILL_AT_STEP ?? '0');
const signal = process.env.KILL_SIGNAL ?? 'SIGKILL';
const countFile = process.env.KILL_COUNT_FILE;
const MUTATING = ['linkSync', 'mkdirSync', 'mkdtempSync', 'openSync', 'writeFileSync', 'fsyncSync', 'closeSync', 'renameSync', 'rmSync', 'unlinkSync', 'chmodSync'];
const fds = new Set();
let steps = 0;

for (const name of MUTATING) {
  const real = fs[name];
  fs[name] = function (...args) {
    const first = args[0];
    const ours = typeof first === 'number' ? fds.has(first) : String(first).startsWith(under);
    if (ours && under !== '') {
      steps++;
      if (steps === at) process.kill(process.pid, signal);
    }
    const result = real.apply(this, args);
    if (name === 'openSync' && ours) fds.add(result);
    if (name === 'closeSync') fds.delete(first);
    return result;
  };
}
syncBuiltinESMExports();
if (countFile && process.send === undefined) process.on('exit', () => fs.writeFileSync(countFile, String(steps)));
