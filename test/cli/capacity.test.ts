import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatCapacity } from '../../src/cli/commands/capacity.js';
import type { Probe } from '../../src/experiment/capacity.js';

const probe = (rate: number, mean: number, meets: boolean): Probe => ({
  rate,
  meets,
  undecided: false,
  replications: 5,
  terms: [
    { slo: 'latency_mean_ms<2', mean, ci95HalfWidth: 0.25, n: 5, verdict: meets ? 'pass' : 'fail' },
    { slo: 'error_share<=0.001', mean: 0, ci95HalfWidth: 0, n: 5, verdict: 'pass' },
  ],
});
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-capacity-'));
const cli = (...args: string[]) => spawnSync('node', ['dist/cli/main.js', ...args], { encoding: 'utf8' });

describe('capacity command', () => {
  it('prints the rate with every term and its CI there, and the next rate that misses', () => {
    const out = formatCapacity({ kind: 'found', best: probe(1406.25, 1.993, true), next: probe(1414.06, 2.015, false), probes: [] }, 'latency_mean_ms<2 and error_share<=0.001 (default)');
    expect(out.exitCode).toBe(0);
    expect(out.text).toBe(
      'capacity: 1406.3 requests/s meets latency_mean_ms<2 and error_share<=0.001 (default) (latency_mean_ms = 1.993 ± 0.25, error_share = 0 ± 0 (95% CI), n=5)\n' +
        '  1414.1 requests/s does not (latency_mean_ms = 2.015 ± 0.25, error_share = 0 ± 0 (95% CI), n=5)\n',
    );
  });

  it('exits 1 when even the lowest rate misses the SLO', () => {
    expect(formatCapacity({ kind: 'below-min', probes: [probe(100, 30, false), probe(50, 25, false)] }, 'x<1').exitCode).toBe(1);
  });

  it('exits 2 on an SLO that names no metric, whichever --slo it is', () => {
    const r = cli('capacity', 'experiments/default.yaml', '--slo', 'latency_p99_ms<20', '--slo', 'p99<20');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--slo: got "p99<20", expected a metric column of runs\.csv/);
  });

  it('finds no rate for Local with a pod-less node behind round-robin: a third of the requests are dropped at any rate', () => {
    // 3 pods placed [2, 1, 0]: node-3 has none, round-robin sends it a third of the connections,
    // Local drops them (error_share ≈ 1/3 ≫ 0.001) while the served requests stay fast.
    const file = join(dir, 'holed.yaml');
    writeFileSync(
      file,
      [
        'name: holed',
        'replications: 2',
        'durationS: 2',
        'warmupS: 0.5',
        `cluster: {nodes: 3, manifests: [${resolve('experiments/manifests/nginx.yaml')}], placement: [2, 1, 0]}`,
        'service: {externalTrafficPolicy: Local}',
        'traffic: {ratePerS: 1000, ingress: round-robin}',
      ].join('\n'),
    );
    const junit = join(dir, 'holed.xml');
    const r = cli('capacity', file, '--slo', 'latency_p99_ms<20', '--min', '200', '--json', '--junit', junit);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^SLO: latency_p99_ms<20 and error_share<=0\.001 \(default\) — error_share<=0\.001 is required by default/m);
    expect(r.stderr).toMatch(/^capacity: none; even 200 requests\/s misses latency_p99_ms<20 and error_share<=0\.001 \(default\) \(latency_p99_ms = [\d.]+ ± [\d.]+, error_share = 0\.3\d* ± /m);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ experiment: 'holed', result: 'below-min', capacity_per_s: null, slo: ['latency_p99_ms<20', 'error_share<=0.001'], default_error_slo_added: true });
    const [latency, errors] = json.probes[0].terms;
    expect(latency).toMatchObject({ slo: 'latency_p99_ms<20', verdict: 'pass' });
    expect(Math.abs(errors.mean - 1 / 3)).toBeLessThan(0.02);
    expect(errors.verdict).toBe('fail');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="nodeport-sim" tests="2" failures="1">');
    expect(xml).toMatch(/<testcase classname="holed capacity" name="latency_p99_ms&lt;20 at 200 requests\/s"\/>/);
    expect(xml).toMatch(/<testcase classname="holed capacity" name="error_share&lt;=0\.001 at 200 requests\/s">\n\s+<failure type="gate" message="no rate tried meets it: mean 0\.3/);
  });
});
