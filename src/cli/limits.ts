// The resource limits a user can raise: --max-events and --max-memory bound a run before it
// starts (see experiment/run-budget.ts), --max-input bounds what is read from an input file.

import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_LIMITS, type Limits } from '../experiment/run-budget.js';
import { DEFAULT_MAX_INPUT_BYTES } from '../io/read-input.js';

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1e3, kb: 1e3, kib: 1024, m: 1e6, mb: 1e6, mib: 1024 ** 2, g: 1e9, gb: 1e9, gib: 1024 ** 3, t: 1e12, tb: 1e12, tib: 1024 ** 4 };

/** `4GiB`, `512MiB`, `1e9`: a size in bytes. */
export const sizeOption =
  (name: string) =>
  (value: string): number => {
    const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
    const n = m && unit !== undefined ? Number(m[1]) * unit : Number.NaN;
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} expects a size such as 4GiB, 512MiB or 1000000 (bytes), got "${value}"`);
    return Math.floor(n);
  };

/** `2e9`, `500000000`: a positive count. */
export const countOption =
  (name: string) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${name} expects a number > 0 such as 2e9, got "${value}"`);
    return n;
  };

export interface LimitFlags {
  readonly maxEvents: number;
  readonly maxMemory: number;
  readonly maxInput: number;
}

export function addLimitOptions(command: Command, simulates = true): Command {
  if (simulates) {
    command
      .option('--max-events <n>', 'refuse a run estimated to simulate more events than this', countOption('--max-events'), DEFAULT_LIMITS.maxEvents)
      .option('--max-memory <size>', 'refuse a run estimated to need more memory than this', sizeOption('--max-memory'), DEFAULT_LIMITS.maxMemoryBytes);
  }
  return command.option('--max-input <size>', 'largest input file read', sizeOption('--max-input'), DEFAULT_MAX_INPUT_BYTES);
}

export const limitsFrom = (flags: LimitFlags): Limits => ({ maxEvents: flags.maxEvents, maxMemoryBytes: flags.maxMemory });
