import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { execForm, imageEntrypoint, installDir, last, readDockerfile } from './dockerfile.js';

// No container engine runs in CI, so the image is checked against the package it packs: what
// it copies exists and reaches the build, and its entrypoint is the CLI the tarball installs.
const stages = readDockerfile();
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string }; bin: Record<string, string>; files: string[] };
const final = stages[stages.length - 1];

/** .dockerignore as Docker reads it: the last pattern that matches a path decides. */
function dockerignored(path: string): boolean {
  let ignored = false;
  for (const raw of readFileSync('.dockerignore', 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = negated ? line.slice(1) : line;
    // `*` matches every top-level name, so everything below it too; other patterns here are names.
    const matches = pattern === '*' || path === pattern || path.startsWith(`${pattern}/`);
    if (matches) ignored = !negated;
  }
  return ignored;
}

/** `COPY [--from=x] a b … dest`: the sources and the stage they come from. */
function copies(stageIndex: number): { from: string | undefined; sources: string[] }[] {
  return stages[stageIndex].instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words[0].startsWith('--from=') ? words.shift()?.slice('--from='.length) : undefined;
      return { from, sources: words.slice(0, -1) };
    });
}

describe('Dockerfile', () => {
  it('builds every stage from node:20-slim, the Node major the package supports', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const major = /^>=(\d+)/.exec(pkg.engines.node)?.[1];
    for (const s of stages) expect(s.from).toBe(`node:${major}-slim`);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const local = stages.flatMap((_, i) => copies(i).filter((c) => c.from === undefined).flatMap((c) => c.sources));
    expect(local.length).toBeGreaterThan(0);
    for (const source of local) {
      expect(existsSync(source), source).toBe(true);
      expect(dockerignored(source), `${source} is excluded by .dockerignore`).toBe(false);
    }
    // What the build needs: the lockfile for npm ci, tsconfig's sources for `prepare`, and the
    // files `npm pack` adds beside dist/ (LICENSE always; the rest as package.json lists them).
    const tsconfig = JSON.parse(readFileSync('tsconfig.json', 'utf8')) as { include: string[] };
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'LICENSE', ...tsconfig.include, ...pkg.files.filter((f) => !f.startsWith('dist') && !f.startsWith('!'))];
    for (const n of needed) expect(local, n).toContain(n);
    expect(dockerignored('node_modules')).toBe(true);
    expect(dockerignored('dist')).toBe(true);
  });

  it('copies between stages only from an earlier stage, and only what that stage made', () => {
    stages.forEach((_, i) => {
      for (const c of copies(i).filter((x) => x.from !== undefined)) {
        const source = stages.slice(0, i).find((s) => s.name === c.from);
        expect(source, `--from=${c.from}`).toBeDefined();
        const made = (source?.instructions ?? []).filter((x) => x.op === 'RUN' || x.op === 'WORKDIR').map((x) => x.args).join('\n');
        for (const path of c.sources) expect(made, `${path} in stage ${c.from}`).toContain(path);
      }
    });
  });

  it('runs as a non-root user with the CLI the tarball installs as entrypoint', () => {
    const user = last(final, 'USER')?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user?.split(':')[0]);
    const [node, script] = imageEntrypoint(stages);
    expect(node).toBe('node');
    expect(script).toBe(`${installDir(stages)}/node_modules/nodeport-sim/${pkg.bin['nodeport-sim']}`);
    expect(copies(stages.length - 1).some((c) => c.from !== undefined && c.sources.includes(installDir(stages)))).toBe(true);
    expect(existsSync(pkg.bin['nodeport-sim'].replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))).toBe(true);
    expect(execForm(last(final, 'CMD'))).toEqual(['--help']);
  });

  it('works in a folder the non-root user owns, where results/<name>/ is written', () => {
    const workdir = last(final, 'WORKDIR')?.args as string;
    const user = last(final, 'USER')?.args.split(':')[0] as string;
    const runs = final.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    expect(runs.some((r) => new RegExp(`chown ${user}(:\\S+)? ${workdir}(\\s|$)`).test(r)), runs.join('\n')).toBe(true);
  });
});
