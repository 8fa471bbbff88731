#!/usr/bin/env node
// The nodeport-sim command line: the only place that touches process and console.
// Exit codes: 0 done, 1 failure or problem found, 2 bad input or usage.

import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { InputError } from '../input/problems.js';
import { isFsError, reasonInWords } from '../io/fs-error.js';
import { registerCapacity } from './commands/capacity.js';
import { registerCompletion } from './commands/completion.js';
import { registerDescribe } from './commands/describe.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerGet } from './commands/get.js';
import { registerMerge } from './commands/merge.js';
import { registerRules } from './commands/rules.js';
import { registerRun } from './commands/run.js';
import { registerSchema } from './commands/schema.js';
import { issueLines, printable } from './terminal-text.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('nodeport-sim')
    .description('Discrete-event simulator of Kubernetes NodePort Services: hops, latency and balance per proxy mode and traffic policy')
    .version(version)
    .configureOutput({ writeErr: (text) => process.stderr.write(printable(text)) })
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerCapacity(program);
  registerMerge(program);
  registerGet(program);
  registerDescribe(program);
  registerDiagnose(program);
  registerRules(program);
  registerCompletion(program);
  registerSchema(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
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
