import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startChartProcess } from '../../src/cli/chart-process.js';
import { runExperiment } from '../../src/experiment/runner.js';
import { validateExperiment } from '../../src/experiment/schema.js';
import { manifestPaths, readExperimentFile } from '../../src/io/read-experiment.js';
import { readManifestFiles } from '../../src/io/read-manifests.js';
import { resultFiles } from '../../src/io/write-results.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-charts-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('charts drawn in a child process', () => {
  it('are byte for byte the charts and report an in-process render gives', async () => {
    const file = write('tiny.yaml', `name: tiny\nseed: 3\ndurationS: 0.3\nwarmupS: 0.05\ncluster:\n  manifests: [${resolve('experiments/manifests/nginx.yaml')}]\nsweep: {traffic.ratePerS: [200, 800]}\n`);
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, ['dist/cli/main.js', 'run', file, '-q', '--png', '--jobs', '1', '-o', out], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const { experiment } = validateExperiment(readExperimentFile(file), file);
    if (!experiment) throw new Error('the experiment is valid');
    const here = await resultFiles(experiment, runExperiment(experiment, readManifestFiles(manifestPaths(file, experiment.cluster.manifests))), { png: true });
    const drawn = here.filter((f) => f.path.startsWith('charts/') || f.path === 'report.html');
    expect(drawn.filter((f) => f.path.endsWith('.svg')).length).toBeGreaterThan(2);
    expect(drawn.filter((f) => f.path.endsWith('.png')).length).toBeGreaterThan(2);
    for (const f of drawn) expect(readFileSync(join(out, f.path)).equals(Buffer.from(f.content)), f.path).toBe(true);
  }, 60_000);

  it('reports a child that fails a chart, or dies, instead of waiting for it', async () => {
    const failing = write('failing-child.mjs', "process.on('message', (m) => process.send({ id: m.id, error: 'no fonts here' }));\n");
    const dying = write('dying-child.mjs', "process.on('message', () => process.exit(3));\n");
    const spec = { data: { values: [{ a: 1 }] }, mark: 'point' as const, encoding: { x: { field: 'a', type: 'quantitative' as const } } };
    const a = startChartProcess(pathToFileURL(failing));
    await expect(a.svg(spec)).rejects.toThrow(/chart process: no fonts here/);
    a.close();
    const b = startChartProcess(pathToFileURL(dying));
    await expect(b.svg(spec)).rejects.toThrow(/chart process: exited \(code 3\) with 1 chart\(s\) undrawn/);
    await expect(b.svg(spec)).rejects.toThrow(/exited/);
    b.close();
  });
});
