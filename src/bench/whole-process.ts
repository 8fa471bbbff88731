// Timing commands as a user meets them: whole processes, wall time from spawn to exit, each
// figure the minimum of several runs taken alternately with its yardstick, so that a busy
// machine slows both alike and the ratio survives.

import { spawnSync } from 'node:child_process';

export interface ProcessTiming {
  readonly wallS: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function timeProcess(args: readonly string[]): ProcessTiming {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`bench: node ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return { wallS, stdout: r.stdout, stderr: r.stderr };
}

/** Runs each command `rounds` times, one after the other in turn, and keeps each one's fastest run. */
export function alternately(commands: readonly (readonly string[])[], rounds: number): ProcessTiming[] {
  const best: (ProcessTiming | undefined)[] = commands.map(() => undefined);
  for (let k = 0; k < rounds; k++) {
    commands.forEach((args, i) => {
      const t = timeProcess(args);
      const b = best[i];
      if (b === undefined || t.wallS < b.wallS) best[i] = t;
    });
  }
  return best as ProcessTiming[];
}

/** `lo–hi` of a list of figures. */
export const range = (xs: readonly number[], digits: number): string => `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
