import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// Which modules a command loads, as Node's own module resolution reports them: a resolve hook
// (node:module register) appends every URL it resolves to a log file. The command line is
// bundled (scripts/bundle-cli.mjs): each file it loads from dist/cli/ is mapped back, through the
// bundle's metafile, to the modules inside it.
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-lazy-'));
const hooks = join(dir, 'hooks.mjs');
writeFileSync(
  hooks,
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.LOAD_LOG, r.url + '\\n');
  return r;
}
`,
);
const register = join(dir, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
const TUTORIAL = 'experiments/manifests/nginx.yaml';

const bundle = JSON.parse(readFileSync('dist/bundle-meta.json', 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
const dist = pathToFileURL(resolve('.')).href + '/';

/** A loaded URL, or the modules bundled in it (as `file:///…/dist/sim/simulate.js`). */
function unbundled(url: string): string[] {
  const output = bundle.outputs[url.startsWith(dist) ? url.slice(dist.length) : ''];
  return output === undefined ? [url] : Object.keys(output.inputs).map((input) => dist + input);
}

let runs = 0;
function loaded(args: string[]): { status: number | null; modules: string[] } {
  const log = join(dir, `log-${runs++}.txt`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(register).href, 'dist/cli/main.js', ...args], { env: { ...process.env, LOAD_LOG: log }, encoding: 'utf8' });
  return { status: r.status, modules: existsSync(log) ? readFileSync(log, 'utf8').split('\n').flatMap(unbundled) : [] };
}
const charting = (modules: string[]) => modules.filter((m) => /node_modules\/(vega|vega-lite|@resvg)\//.test(m));
const simulator = (modules: string[]) => modules.filter((m) => m.includes('/dist/sim/'));

describe('what each command loads', () => {
  it('--version loads no command at all', () => {
    const r = loaded(['--version']);
    expect(r.status).toBe(0);
    expect(r.modules.filter((m) => m.includes('/dist/cli/commands/'))).toEqual([]);
  });

  it.each([
    ['get', ['get', 'svc', '-f', TUTORIAL]],
    ['describe', ['describe', 'svc', 'nginx-nodeport', '-f', TUTORIAL]],
    ['diagnose', ['diagnose', '-f', TUTORIAL]],
    ['rules', ['rules', '-f', TUTORIAL, '--node', 'minikube']],
  ])('%s loads neither the chart libraries nor the simulator', (_, args) => {
    const r = loaded(args);
    expect(r.status).toBe(0);
    expect(r.modules.some((m) => m.includes('/dist/cluster/'))).toBe(true);
    expect(charting(r.modules)).toEqual([]);
    expect(simulator(r.modules)).toEqual([]);
  });

  it('run --no-charts simulates without loading the chart libraries; a run with charts loads them', () => {
    const experiment = join(dir, 'tiny.yaml');
    writeFileSync(experiment, `name: tiny\nseed: 1\ndurationS: 0.001\nwarmupS: 0\ncluster:\n  manifests: [${resolve(TUTORIAL)}]\n`);
    const bare = loaded(['run', experiment, '-q', '--no-charts', '-o', join(dir, 'bare')]);
    expect(bare.status).toBe(0);
    expect(simulator(bare.modules).length).toBeGreaterThan(0);
    expect(charting(bare.modules)).toEqual([]);
    expect(existsSync(join(dir, 'bare', 'charts'))).toBe(false);
    expect(readFileSync(join(dir, 'bare', 'runs.csv'), 'utf8')).toMatch(/^experiment,run,/);
    const full = loaded(['run', experiment, '-q', '-o', join(dir, 'full')]);
    expect(full.status).toBe(0);
    expect(charting(full.modules).length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'full', 'charts'))).toBe(true);
  });
});
