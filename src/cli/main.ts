#!/usr/bin/env node
// The nodeport-sim command line: the only place that touches process and console.
// Exit codes: 0 done, 1 failure or problem found, 2 bad input or usage.

import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { formatIssue, InputError } from '../input/problems.js';
import { registerCapacity } from './commands/capacity.js';
import { registerCompletion } from './commands/completion.js';
import { registerDescribe } from './commands/describe.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerGet } from './commands/get.js';
import { registerMerge } from './commands/merge.js';
import { registerRules } from './commands/rules.js';
import { registerRun } from './commands/run.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export function buildProgram(): Command {
  const program = new Command('nodeport-sim')
    .description('Discrete-event simulator of Kubernetes NodePort Services: hops, latency and balance per proxy mode and traffic policy')
    .version(version)
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
    for (const issue of error.issues) process.stderr.write(`error: ${formatIssue(issue)}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
