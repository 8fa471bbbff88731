import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-gates-'));
const experiment = (asserts: string[]) => {
  const file = join(dir, `e${asserts.length}.yaml`);
  writeFileSync(
    file,
    [
      'name: gates',
      'replications: 2',
      'durationS: 0.5',
      'warmupS: 0.1',
      `cluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}]}`,
      'traffic: {ratePerS: 1000}',
      'sweep: {service.externalTrafficPolicy: [Cluster, Local]}',
      `assert: [${asserts.map((a) => JSON.stringify(a)).join(', ')}]`,
    ].join('\n'),
  );
  return file;
};
const run = (file: string, out: string) => spawnSync('npx', ['tsx', 'src/cli/main.ts', 'run', file, '--out', out, '--quiet'], { encoding: 'utf8' });

describe('run with assertions', () => {
  it('exits 1 and prints each violation, with the results still written', () => {
    const out = join(dir, 'failing');
    // Cluster sends some requests to another node, Local none: only the Cluster point breaks this.
    const r = run(experiment(['cross_node_share == 0', 'latency_mean_ms < 1000']), out);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^assert\[0\] cross_node_share == 0 fails at service\.externalTrafficPolicy=Cluster: mean 0\.\d+ ± [\d.]+ \(n=2\)$/)]);
    expect(existsSync(join(out, 'runs.csv'))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<ul class="violations">');
  });

  it('exits 0 when every assertion holds', () => {
    const r = run(experiment(['latency_mean_ms < 1000']), join(dir, 'passing'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
