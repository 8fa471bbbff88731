#!/usr/bin/env node
// nodeport-sim's command line: the cluster commands (get, describe, diagnose).
// Usage errors exit 2, as bad input does.

import { Command, CommanderError } from 'commander';
import { registerDescribe } from './commands/describe.js';
import { registerDiagnose } from './commands/diagnose.js';
import { registerGet } from './commands/get.js';

export function buildProgram(): Command {
  const program = new Command('nodeport-sim')
    .description('Discrete-event simulator of Kubernetes NodePort Services')
    .exitOverride();
  registerGet(program);
  registerDescribe(program);
  registerDiagnose(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; every other commander error is a usage mistake.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    throw error;
  }
}

await main(process.argv);
