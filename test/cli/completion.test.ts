import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { completionScript, SHELLS } from '../../src/cli/commands/completion.js';

// main.ts parses process.argv when loaded; with parsing stubbed, importing it only yields the program.
const parse = vi.spyOn(Command.prototype, 'parseAsync').mockImplementation(async function (this: Command) {
  return this;
});
const { buildProgram } = await import('../../src/cli/main.js');
afterAll(() => parse.mockRestore());

const program = await buildProgram();
const subcommands = program.commands.map((c) => c.name());

/** What bash offers for the words typed so far (the last one being completed). */
function bashComplete(script: string, words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const run = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _nodeport_sim; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    encoding: 'utf8',
    cwd: '/',
  });
  expect(run.stderr).toBe('');
  return run.stdout.split('\n').filter((l) => l !== '');
}

describe('completion', () => {
  it('knows the program has subcommands to complete', () => {
    expect(subcommands.length).toBeGreaterThan(5);
    expect(subcommands).toContain('completion');
  });

  for (const shell of SHELLS) {
    it(`${shell}: names every subcommand and every long option commander defines`, () => {
      const script = completionScript(program, shell);
      for (const command of program.commands) {
        expect(script, command.name()).toMatch(new RegExp(`\\b${command.name()}\\b`));
        for (const option of command.options) {
          const long = option.long?.slice(2);
          if (long !== undefined) expect(script, `${command.name()} --${long}`).toContain(long);
        }
      }
    });
  }

  it('bash: completes each subcommand from its first letters, and its options after it', () => {
    const script = completionScript(program, 'bash');
    for (const command of program.commands) {
      const name = command.name();
      expect(bashComplete(script, ['nodeport-sim', name.slice(0, 2)]), name).toContain(name);
      const longs = command.options.flatMap((o) => (o.long === undefined ? [] : [o.long]));
      expect(bashComplete(script, ['nodeport-sim', name, '--']).sort(), name).toEqual(expect.arrayContaining(longs));
    }
  });

  it('bash: offers the shells after `completion`', () => {
    const offered = bashComplete(completionScript(program, 'bash'), ['nodeport-sim', 'completion', '']);
    expect(offered).toEqual(expect.arrayContaining([...SHELLS]));
  });

  it('bash: the script is valid bash syntax', () => {
    const run = spawnSync('bash', ['-n'], { input: completionScript(program, 'bash'), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
  });
});
