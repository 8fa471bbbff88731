import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../support/csv.js';

// A run whose target is broken says so before it simulates, and counts the failures it then sees.
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-run-failures-'));
const nginx = readFileSync(resolve('experiments/manifests/nginx.yaml'), 'utf8');

function experiment(name: string, manifest: string, extra: string[] = [], placement = 'spread'): string {
  writeFileSync(join(dir, `${name}.manifest.yaml`), manifest);
  const file = join(dir, `${name}.yaml`);
  const lines = [`name: ${name}`, 'replications: 2', 'durationS: 1', 'warmupS: 0.2', `cluster: {nodes: 3, manifests: [${name}.manifest.yaml], placement: ${placement}}`, 'traffic: {ratePerS: 1000}'];
  writeFileSync(file, [...lines, ...extra].join('\n'));
  return file;
}
const run = (file: string, ...args: string[]) => spawnSync('node', ['dist/cli/main.js', 'run', file, '--out', join(dir, `out-${args.length}-${file.length}`), ...args], { encoding: 'utf8' });

describe('run on a broken target', () => {
  it('warns with diagnose’s targetPort error, then counts every request refused by the pods (RST)', () => {
    const file = experiment('mismatch', nginx.replace('targetPort: 80 ', 'targetPort: 8080 '));
    const out = join(dir, 'mismatch-out');
    const r = spawnSync('node', ['dist/cli/main.js', 'run', file, '--out', out, '--json', '--set', 'assert=["error_share < 0.001", "latency_p99_ms < 100"]'], { encoding: 'utf8' });
    expect(r.stderr.split('\n')[0]).toMatch(/^warning: Service default\/nginx-nodeport: targetPort 8080\/TCP of port 80 is not a containerPort of any selected pod .*nothing listens on/);
    expect(r.status).toBe(1);
    const runs = parseCsv(readFileSync(join(out, 'runs.csv'), 'utf8'));
    for (const row of runs) {
      expect(Number(row.requests)).toBeGreaterThan(500);
      expect(row.refused_no_listener).toBe(row.requests);
      expect(Number(row.ok)).toBe(0);
      expect(Number(row.error_share)).toBe(1);
    }
    const json = JSON.parse(r.stdout);
    expect(json.passed).toBe(false);
    expect(json.assertions.map((a: { assertion: string; verdict: string }) => [a.assertion, a.verdict])).toEqual([
      ['error_share < 0.001', 'fail'],
      // No request succeeded: a percentile of nothing is undefined, and undefined meets nothing.
      ['latency_p99_ms < 100', 'fail'],
    ]);
    expect(json.points[0].metrics.refused_no_listener.mean).toBe(Number(runs[0].requests) / 2 + Number(runs[1].requests) / 2);
  });

  it('says in one line that a target without endpoints has none, and its requests are rejected', () => {
    const file = experiment('empty', nginx.replace('app: nginx          #', 'app: nothing        #'));
    const out = join(dir, 'empty-out');
    const r = spawnSync('node', ['dist/cli/main.js', 'run', file, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
    expect(warnings).toEqual(['warning: Service default/nginx-nodeport has no endpoints: every connection to nodePort 30080 is refused']);
    const runs = parseCsv(readFileSync(join(out, 'runs.csv'), 'utf8'));
    for (const row of runs) expect(row.rejected_no_endpoints).toBe(row.requests);
  });

  it('writes every gate as a JUnit test case, the failing ones with their mean', () => {
    const file = experiment('gates', nginx, ['sweep: {service.externalTrafficPolicy: [Cluster, Local]}'], '[2, 1, 0]');
    const junit = join(dir, 'gates.xml');
    const r = run(file, '--quiet', '--junit', junit, '--set', 'assert=["error_share <= 0.001", "latency_p99_ms < 1000"]');
    expect(r.status).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="nodeport-sim" tests="4" failures="1">');
    expect(xml).toContain('<testcase classname="gates" name="assert[0] error_share &lt;= 0.001 at service.externalTrafficPolicy=Cluster"/>');
    expect(xml).toMatch(/name="assert\[0\] error_share &lt;= 0\.001 at service\.externalTrafficPolicy=Local">\n\s+<failure type="gate" message="mean 0\.3\d* ± /);
    expect(xml.match(/<testcase /g)?.length).toBe(4);
  });
});
