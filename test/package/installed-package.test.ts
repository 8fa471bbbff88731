import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { formatCell } from '../../src/io/csv.js';
import { readManifestFiles } from '../../src/io/read-manifests.js';
import { imageEntrypoint, installDir, readDockerfile } from './dockerfile.js';
import { fileTree } from '../support/file-tree.js';

// The package as a user gets it: `npm pack` of this repository's build (run `npm run build`
// first), installed into an empty folder the way the image's install stage does it, then run
// and imported from there. Dependencies come from npm's cache when it has them.

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly bin: Record<string, string>;
  readonly exports: Record<string, string | Record<string, string>>;
  readonly types: string;
  readonly devDependencies: Record<string, string>;
}
const repo = resolve('.');
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;
const stages = readDockerfile();
const root = mkdtempSync(join(tmpdir(), 'nodeport-sim-package-'));
/** The empty folder the tarball is installed into; stands for the image's install folder. */
const app = join(root, 'app');
let tarball = '';
let packed: string[] = [];

const installed = (...parts: string[]) => join(app, 'node_modules', pkg.name, ...parts);


beforeAll(() => {
  if (!existsSync('dist/index.js') || !existsSync('dist/index.d.ts')) throw new Error('dist/ is not built: run `npm run build` first');
  // --ignore-scripts: `prepare` would rebuild dist/ under tests that are running it.
  const [info] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], { encoding: 'utf8' })) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(root, info.filename);
  packed = info.files.map((f) => f.path).sort();
  // The image's install stage, command for command, with its tarball path pointed at ours.
  const install = stages.find((s) => s.instructions.some((i) => i.op === 'RUN' && /\bnpm install\b/.test(i.args)));
  const inImage = install?.instructions.find((i) => i.op === 'COPY' && i.args.startsWith('--from='))?.args.split(/\s+/).at(-1) as string;
  mkdirSync(app);
  for (const run of install?.instructions.filter((i) => i.op === 'RUN') ?? []) {
    execFileSync('sh', ['-c', run.args.replaceAll(inImage, tarball)], {
      cwd: app,
      stdio: 'pipe',
      env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' },
    });
  }
}, 300_000);

// The installed dependencies take tens of MiB.
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('ships the build of every source file but the benchmarks, without source maps, plus the experiment schema, LICENSE, NOTICE and README', () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
    const built = sources('src')
      .filter((f) => !f.startsWith('src/bench/'))
      .flatMap((f) => {
        const base = `dist/${f.slice('src/'.length, -'.ts'.length)}`;
        return [`${base}.js`, `${base}.d.ts`];
      });
    // The command line's bundle adds its chunks beside dist/cli/main.js (scripts/bundle-cli.mjs).
    const bundle = JSON.parse(readFileSync('dist/bundle-meta.json', 'utf8')) as { outputs: Record<string, unknown> };
    const chunks = Object.keys(bundle.outputs).filter((f) => f.endsWith('.js') && !built.includes(f));
    expect(packed).toEqual([...built, ...chunks, 'LICENSE', 'NOTICE', 'README.md', 'experiment.schema.json', 'package.json'].sort());
  });

  it('holds the files its bin, exports and types name, and the Apache-2.0 license it declares', () => {
    const named = [...Object.values(pkg.bin), pkg.types, ...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))];
    for (const f of named) expect(packed, f).toContain(f.replace(/^\.\//, ''));
    expect(readFileSync(installed('LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(JSON.parse(readFileSync(installed('package.json'), 'utf8')).license).toBe('Apache-2.0');
  });
});

describe('installed from the tarball into an empty folder', () => {
  const cli = (args: string[], cwd = app) => spawnSync(join(app, 'node_modules', '.bin', 'nodeport-sim'), args, { cwd, encoding: 'utf8' });

  it('prints its version and brings no build tool into node_modules/.bin', () => {
    const r = cli(['--version']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(pkg.version);
    const bins = readdirSync(join(app, 'node_modules', '.bin'));
    for (const dev of Object.keys(pkg.devDependencies)) {
      const manifest = JSON.parse(readFileSync(join('node_modules', dev, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
      const names = manifest.bin === undefined ? [] : typeof manifest.bin === 'string' ? [dev.split('/').at(-1) as string] : Object.keys(manifest.bin);
      for (const n of names) expect(bins, `${dev}'s ${n}`).not.toContain(n);
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    }
  });

  it("runs as the image's entrypoint does", () => {
    const [node, script] = imageEntrypoint(stages);
    const r = spawnSync(node, [script.replace(installDir(stages), app), '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('runs a tiny experiment to the same bytes, PNG charts included, as the repository build', () => {
    const experiment = join(root, 'tiny.yaml');
    writeFileSync(
      experiment,
      `name: tiny\nreplications: 2\ndurationS: 0.5\nwarmupS: 0.1\ncluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}], placement: [1, 2]}\ntraffic: {ratePerS: 1000}\nsweep: {service.externalTrafficPolicy: [Cluster, Local]}\n`,
    );
    const fromTarball = cli(['run', experiment, '--png', '--quiet', '--out', join(root, 'installed')]);
    expect(fromTarball.stderr).toBe('');
    expect(fromTarball.status).toBe(0);
    const fromRepo = spawnSync('node', ['dist/cli/main.js', 'run', experiment, '--png', '--quiet', '--out', join(root, 'repo')], { encoding: 'utf8' });
    expect(fromRepo.status).toBe(0);
    const want = fileTree(join(root, 'repo'));
    const got = fileTree(join(root, 'installed'));
    expect([...got.keys()]).toEqual([...want.keys()]);
    expect([...got.keys()].filter((k) => k.endsWith('.png')).length).toBeGreaterThan(0);
    for (const [path, bytes] of want) expect(bytes.equals(got.get(path) as Buffer), path).toBe(true);
  });

  it("exports the typed API's functions by name", () => {
    const r = spawnSync(
      'node',
      ['--input-type=module', '-e', "import * as m from 'nodeport-sim'; console.log(JSON.stringify(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v]))));"],
      { cwd: app, encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    const kinds = JSON.parse(r.stdout) as Record<string, string>;
    for (const name of ['loadExperiment', 'runExperiment', 'simulate', 'buildCluster', 'renderRules']) expect(kinds[name], name).toBe('function');
  });

  it('type-checks a program against its declarations, and rejects a wrong call', () => {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['consumer.ts'] }));
    writeFileSync(
      join(app, 'consumer.ts'),
      [
        "import { buildCluster, loadExperiment, renderRules, runExperiment, simulate, type ExperimentResults, type RunResult, type SimConfig } from 'nodeport-sim';",
        "const loaded = loadExperiment('e.yaml', { 'traffic.ratePerS': 2000 });",
        'const results: ExperimentResults = runExperiment(loaded, { shard: { index: 0, count: 2 } });',
        'const first: string | number = results.runs[0].latency_p99_ms;',
        'const { cluster } = buildCluster(loaded.docs);',
        "const rules: string = renderRules(cluster, { mode: 'nftables', node: cluster.nodes[0].name });",
        'declare const config: SimConfig;',
        'const run: RunResult = simulate(config);',
        'const p99: number = run.metrics.latency_p99_ms;',
        '// @ts-expect-error: userspace is not a proxy mode this models',
        "renderRules(cluster, { mode: 'userspace', node: 'n' });",
        '// @ts-expect-error: the experiment comes loaded',
        "runExperiment('e.yaml');",
        'export { first, rules, p99 };',
      ].join('\n'),
    );
    const r = spawnSync(join(repo, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it("runs the README's API example and prints what the CLI writes", () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('\n## API\n'));
    const example = /```js\n([\s\S]*?)```/.exec(section)?.[1] as string;
    expect(example).toContain("from 'nodeport-sim'");
    writeFileSync(join(app, 'readme-example.mjs'), example);
    // Run from the repository, where the example's experiment path points; the import resolves
    // from the script's folder, so it gets the installed package.
    const r = spawnSync('node', [join(app, 'readme-example.mjs')], { cwd: repo, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);

    // The same run through the CLI, with the example's overrides as --set.
    const file = /loadExperiment\('([^']+)'/.exec(example)?.[1] as string;
    const out = join(root, 'readme-cli');
    const run = spawnSync('node', ['dist/cli/main.js', 'run', file, '--replications', '1', '--set', 'durationS=2', '--quiet', '--out', out], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const [header, ...rows] = readFileSync(join(out, 'runs.csv'), 'utf8').trimEnd().split('\n').map((l) => l.split(','));
    const columns = ['service.externalTrafficPolicy', 'proxy.mode', 'latency_p99_ms', 'balance_max_over_mean'].map((c) => header.indexOf(c));
    const lines = r.stdout.split('\n');
    // runs.csv holds every number in full, as console.log prints it.
    rows.forEach((row, i) => {
      const printed = lines[i].split(' ').map((v, j) => (j < 2 ? v : formatCell(Number(v), true)));
      expect(printed).toEqual(columns.map((c) => row[c]));
    });
    const node = buildCluster(readManifestFiles([join('experiments', 'manifests', 'nginx.yaml')])).cluster.nodes[0].name;
    const rules = spawnSync('node', ['dist/cli/main.js', 'rules', '-f', join('experiments', 'manifests', 'nginx.yaml'), '--mode', 'iptables', '--node', node], { encoding: 'utf8' });
    expect(rules.status).toBe(0);
    expect(lines.slice(rows.length).join('\n')).toBe(`${rules.stdout}\n`);
  });
});
