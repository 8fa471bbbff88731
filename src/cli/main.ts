#!/usr/bin/env node
// The nodeport-sim command line: the only place that touches process and console.
// Exit codes: 0 done, 1 failure or problem found, 2 bad input or usage.

import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { InputError } from '../input/problems.js';
import { isFsError, reasonInWords } from '../io/fs-error.js';
import { issueLines, printable } from './terminal-text.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

type Register = (program: Command) => void;

// Each command's modules load only when that command runs: `get` never pays for the simulator,
// nor `--version` for anything (see commandsToLoad). Listed in the order help shows them.
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  run: async () => (await import('./commands/run.js')).registerRun,
  capacity: async () => (await import('./commands/capacity.js')).registerCapacity,
  merge: async () => (await import('./commands/merge.js')).registerMerge,
  get: async () => (await import('./commands/get.js')).registerGet,
  describe: async () => (await import('./commands/describe.js')).registerDescribe,
  diagnose: async () => (await import('./commands/diagnose.js')).registerDiagnose,
  rules: async () => (await import('./commands/rules.js')).registerRules,
  completion: async () => (await import('./commands/completion.js')).registerCompletion,
  schema: async () => (await import('./commands/schema.js')).registerSchema,
};

/**
 * The commands a command line needs: the one it names; none for a bare `--version`; every one
 * for help, completion (which reads them all) and anything unrecognised, so that commander's
 * messages and suggestions are the same as with all of them loaded. The program's own options
 * (-V, -h) take no value, so the first word not starting with `-` names the command.
 */
export function commandsToLoad(args: readonly string[]): readonly string[] {
  const all = Object.keys(COMMANDS);
  const named = args.find((a) => !a.startsWith('-'));
  if (named !== undefined) return named in COMMANDS && named !== 'completion' ? [named] : all;
  return args.length > 0 && args.every((a) => a === '-V' || a === '--version') ? [] : all;
}

/** The program with the commands `args` (the words after the program's name) need; all by default. */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = new Command('nodeport-sim')
    .description('Discrete-event simulator of Kubernetes NodePort Services: hops, latency and balance per proxy mode and traffic policy')
    .version(version)
    .configureOutput({ writeErr: (text) => process.stderr.write(printable(text)) })
    .showHelpAfterError()
    .exitOverride();
  const names = args === undefined ? Object.keys(COMMANDS) : commandsToLoad(args);
  const registers = await Promise.all(names.map((name) => COMMANDS[name]()));
  for (const register of registers) register(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

try {
  await (await buildProgram(process.argv.slice(2))).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; usage mistakes exit 2.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof InputError) {
    process.stderr.write(issueLines(error.issues));
    process.exitCode = 2;
  } else if (isFsError(error)) {
    // Any file-system failure not already named by src/io: the path and the reason, exit 2.
    process.stderr.write(printable(`error: ${error.path ?? error.syscall}: ${reasonInWords(error)}\n`));
    process.exitCode = 2;
  } else {
    // A bug: one line, no stack trace, exit 1 (NODEPORT_SIM_DEBUG=1 shows the stack).
    process.stderr.write(printable(`error: internal error: ${error instanceof Error ? error.message : String(error)}\n`));
    if (process.env.NODEPORT_SIM_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = 1;
  }
}
