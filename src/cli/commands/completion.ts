// `nodeport-sim completion bash|zsh|fish`: a shell completion script for every command and
// option, read from commander's own definitions (the program this command belongs to), so a
// new command or flag is completed without touching this file.
// Load it with `source <(nodeport-sim completion bash)` (or zsh), or
// `nodeport-sim completion fish | source`.

import { Argument, type Command, type Option } from 'commander';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface OptionSpec {
  readonly long?: string;
  readonly short?: string;
  readonly description: string;
  readonly takesValue: boolean;
  readonly choices: readonly string[];
}

interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** Values the positional arguments accept, when commander lists them (argument choices). */
  readonly argumentChoices: readonly string[];
}

interface ProgramSpec {
  readonly name: string;
  readonly options: readonly OptionSpec[];
  readonly commands: readonly CommandSpec[];
}

const optionSpec = (o: Option): OptionSpec => ({
  ...(o.long === undefined ? {} : { long: o.long }),
  ...(o.short === undefined ? {} : { short: o.short }),
  description: o.description,
  takesValue: o.required || o.optional,
  choices: o.argChoices ?? [],
});

/** The program as commander shows it in --help: visible commands (help included) and options. */
export function programSpec(program: Command): ProgramSpec {
  const help = program.createHelp();
  return {
    name: program.name(),
    options: help.visibleOptions(program).map(optionSpec),
    commands: help.visibleCommands(program).map((c) => ({
      name: c.name(),
      description: c.description(),
      options: c.createHelp().visibleOptions(c).map(optionSpec),
      argumentChoices: c.registeredArguments.flatMap((a) => a.argChoices ?? []),
    })),
  };
}

const flagsOf = (options: readonly OptionSpec[]): string[] => options.flatMap((o) => [o.short, o.long].filter((f): f is string => f !== undefined));
const identifier = (name: string): string => `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;

function bash(spec: ProgramSpec): string {
  const fn = identifier(spec.name);
  const cases = spec.commands.map((c) => {
    const valued = flagsOf(c.options.filter((o) => o.takesValue));
    const choiceCases = c.options
      .filter((o) => o.choices.length > 0)
      .map((o) => `        ${flagsOf([o]).join('|')}) COMPREPLY=($(compgen -W "${o.choices.join(' ')}" -- "$cur")); return ;;`);
    return [
      `    ${c.name})`,
      `      opts="${flagsOf(c.options).join(' ')}"`,
      `      valued="${valued.join(' ')}"`,
      `      words="${c.argumentChoices.join(' ')}"`,
      ...(choiceCases.length === 0 ? [] : ['      case "$prev" in', ...choiceCases, '      esac']),
      '      ;;',
    ].join('\n');
  });
  return `# bash completion for ${spec.name}
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local command="" i opts valued words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  case "$command" in
    "")
      COMPREPLY=($(compgen -W "${spec.commands.map((c) => c.name).join(' ')} ${flagsOf(spec.options).join(' ')}" -- "$cur"))
      return ;;
${cases.join('\n')}
    *) return ;;
  esac
  case " $valued " in
    *" $prev "*) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F ${fn} ${spec.name}
`;
}

/** Text inside a zsh single-quoted word. */
const zshQuoted = (text: string): string => text.replace(/'/g, `'\\''`);
/** An _arguments description: brackets and backslashes escaped. */
const zshDescription = (text: string): string => zshQuoted(text.replace(/([[\]\\])/g, '\\$1'));
/** A _describe entry's part: colons (its separator) and backslashes escaped. */
const zshEntry = (text: string): string => zshQuoted(text.replace(/([:\\])/g, '\\$1'));

function zshOption(o: OptionSpec): string {
  const flags = flagsOf([o]);
  const value = o.takesValue ? (o.choices.length > 0 ? `:value:(${o.choices.join(' ')})` : ':value:_files') : '';
  const spec = `[${zshDescription(o.description)}]${value}`;
  if (flags.length === 1) return `'${flags[0]}${spec}'`;
  return `'(${flags.join(' ')})'{${flags.join(',')}}'${spec}'`;
}

function zsh(spec: ProgramSpec): string {
  const fn = identifier(spec.name);
  const cases = spec.commands.map((c) => {
    const positional = c.argumentChoices.length > 0 ? `'*:value:(${c.argumentChoices.join(' ')})'` : `'*:file:_files'`;
    return `        ${c.name}) _arguments ${[...c.options.map(zshOption), positional].join(' ')} ;;`;
  });
  return `#compdef ${spec.name}
# zsh completion for ${spec.name}
${fn}() {
  local state line
  local -a commands
  commands=(
${spec.commands.map((c) => `    '${zshEntry(c.name)}:${zshEntry(c.description)}'`).join('\n')}
  )
  _arguments -C ${spec.options.map(zshOption).join(' ')} '1: :->command' '*:: :->args'
  case $state in
    command) _describe 'command' commands ;;
    args)
      case $line[1] in
${cases.join('\n')}
      esac
      ;;
  esac
}
compdef ${fn} ${spec.name}
`;
}

const fishText = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishOption(program: string, condition: string, o: OptionSpec): string {
  const parts = [`complete -c ${program} -n ${fishText(condition)}`];
  if (o.short !== undefined) parts.push(`-s ${o.short.slice(1)}`);
  if (o.long !== undefined) parts.push(`-l ${o.long.slice(2)}`);
  if (o.takesValue) parts.push(o.choices.length > 0 ? `-x -a ${fishText(o.choices.join(' '))}` : '-r -F');
  parts.push(`-d ${fishText(o.description)}`);
  return parts.join(' ');
}

function fish(spec: ProgramSpec): string {
  const p = spec.name;
  const lines = [`# fish completion for ${p}`, `complete -c ${p} -f`];
  for (const o of spec.options) lines.push(fishOption(p, '__fish_use_subcommand', o));
  for (const c of spec.commands) {
    lines.push(`complete -c ${p} -n '__fish_use_subcommand' -a ${c.name} -d ${fishText(c.description)}`);
    const seen = `__fish_seen_subcommand_from ${c.name}`;
    for (const o of c.options) lines.push(fishOption(p, seen, o));
    if (c.argumentChoices.length > 0) lines.push(`complete -c ${p} -n ${fishText(seen)} -a ${fishText(c.argumentChoices.join(' '))}`);
    else lines.push(`complete -c ${p} -n ${fishText(seen)} -F`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionScript(program: Command, shell: Shell): string {
  const spec = programSpec(program);
  switch (shell) {
    case 'bash':
      return bash(spec);
    case 'zsh':
      return zsh(spec);
    case 'fish':
      return fish(spec);
  }
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(nodeport-sim completion bash)')
    .addArgument(new Argument('<shell>', 'bash | zsh | fish').choices(SHELLS))
    .action((shell: Shell) => {
      process.stdout.write(completionScript(program, shell));
    });
}
