// Reads the repository's Dockerfile into stages, for tests that check it against the package
// (no container engine runs in CI) and that run its entrypoint outside a container.

import { readFileSync } from 'node:fs';

export interface Instruction {
  readonly op: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Stages in order; comments dropped, `\` continuations joined (the Dockerfile reference's rules). */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (line.trimEnd().endsWith('\\')) {
      pending += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full !== '') joined.push(full);
  }
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const l of joined) {
    const space = l.search(/\s/);
    const op = l.slice(0, space).toUpperCase();
    const args = l.slice(space + 1).trim();
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`FROM ${args}: not "image [AS name]"`);
      stages.push({ from: m[1], name: m[2], instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${op} before the first FROM`);
      stages[stages.length - 1].instructions.push({ op, args });
    }
  }
  return stages;
}

export const readDockerfile = (path = 'Dockerfile'): Stage[] => parseDockerfile(readFileSync(path, 'utf8'));

/** The arguments of an exec-form instruction (`ENTRYPOINT ["node", "x.js"]`). */
export function execForm(instruction: Instruction | undefined): string[] {
  if (!instruction) throw new Error('instruction missing');
  const value: unknown = JSON.parse(instruction.args);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`${instruction.op} ${instruction.args}: not exec form`);
  return value;
}

export const last = (stage: Stage, op: string): Instruction | undefined => stage.instructions.filter((i) => i.op === op).at(-1);

/** The final stage's ENTRYPOINT, exec form: what a container of the image runs before its args. */
export function imageEntrypoint(stages: readonly Stage[]): string[] {
  return execForm(last(stages[stages.length - 1], 'ENTRYPOINT'));
}

/** Where the image installs the package: the WORKDIR of the stage that runs `npm install`. */
export function installDir(stages: readonly Stage[]): string {
  const stage = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm install\b/.test(i.args)));
  const workdir = stage && last(stage, 'WORKDIR');
  if (!workdir) throw new Error('no stage runs npm install in a WORKDIR');
  return workdir.args;
}
