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
    const out = join(dir, 'holed-out');
    const r = cli('capacity', file, '--slo', 'latency_p99_ms<20', '--min', '200', '--json', '--junit', junit, '--out', out);
    expect(r.status).toBe(1);
    // The search that found nothing still leaves its report, saying so on the chart.
    const chart = JSON.parse(readFileSync(join(out, 'charts/p99-by-rate.vl.json'), 'utf8'));
    expect(chart.data.values.filter((v: { kind: string }) => v.kind === 'none')).toEqual([{ kind: 'none', label: 'no rate tried meets the SLO' }]);
    expect(chart.data.values.filter((v: { kind: string }) => v.kind === 'capacity')).toEqual([]);
    expect(r.stderr).toMatch(/^SLO: latency_p99_ms<20 and error_share<=0\.001 \(default\) — error_share<=0\.001 is required by default/m);
    expect(r.stderr).toMatch(/^capacity: none; even 200 requests\/s misses latency_p99_ms<20 and error_share<=0\.001 \(default\) \(latency_p99_ms = [\d.]+ ± [\d.]+, error_share = 0\.3\d* ± /m);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ experiment: 'holed', out_dir: out, result: 'below-min', capacity_per_s: null, slo: ['latency_p99_ms<20', 'error_share<=0.001'], default_error_slo_added: true });
    const [latency, errors] = json.probes[0].terms;
    expect(latency).toMatchObject({ slo: 'latency_p99_ms<20', verdict: 'pass' });
    expect(Math.abs(errors.mean - 1 / 3)).toBeLessThan(0.02);
    expect(errors.verdict).toBe('fail');
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toContain('<testsuites name="nodeport-sim" tests="2" failures="1">');
    expect(xml).toMatch(/<testcase classname="holed capacity" name="latency_p99_ms&lt;20 at 200 requests\/s"\/>/);
    expect(xml).toMatch(/<testcase classname="holed capacity" name="error_share&lt;=0\.001 at 200 requests\/s">\n\s+<failure type="gate" message="no rate tried meets it: mean 0\.3/);
  });

  it("writes the probes as a result set whose report charts each probe's p99 by verdict, the SLO and the capacity the search found", () => {
    // Q9's cluster (3 nginx pods of 4 workers, 2 ms service: 6,000 requests/s at 100%), shortened.
    const file = join(dir, 'q9-short.yaml');
    writeFileSync(
      file,
      [
        'name: q9-short',
        'replications: 2',
        'durationS: 0.5',
        'warmupS: 0.2',
        `cluster: {nodes: 3, manifests: [${resolve('experiments/manifests/nginx.yaml')}], placement: spread}`,
        'traffic: {clients: 5000, ratePerS: 4000, requestsPerConnection: 1, ingress: round-robin}',
      ].join('\n'),
    );
    const out = join(dir, 'q9-short-capacity');
    // Two replications at most: probes near the answer stay undecided and are judged on their means.
    const r = cli('capacity', file, '--slo', 'latency_p99_ms<20', '--tolerance', '0.1', '--max-replications', '2', '--out', out, '--json');
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`wrote ${out}/report.html`);
    const json = JSON.parse(r.stdout) as { capacity_per_s: number; probes: { rate_per_s: number; meets: boolean; undecided: boolean; replications: number; terms: { slo: string; mean: number; ci95_half_width: number }[] }[] };
    const { out_dir: _, ...answer } = json as unknown as Record<string, unknown>;
    expect(JSON.parse(readFileSync(join(out, 'capacity.json'), 'utf8'))).toEqual(answer);

    const values = JSON.parse(readFileSync(join(out, 'charts/p99-by-rate.vl.json'), 'utf8')).data.values as Record<string, unknown>[];
    const points = values.filter((v) => v.kind === 'p99');
    // One point per probe, at the probe's rate, with the p99 mean and CI the search judged.
    expect(points.map((p) => p.rate)).toEqual(json.probes.map((p) => p.rate_per_s).sort((a, b) => a - b));
    for (const probe of json.probes) {
      const point = points.find((p) => p.rate === probe.rate_per_s) as Record<string, number | string>;
      const p99 = probe.terms.find((t) => t.slo === 'latency_p99_ms<20') as { mean: number; ci95_half_width: number };
      expect(point.p99).toBeCloseTo(p99.mean, 9);
      expect(point.hi).toBeCloseTo(p99.mean + p99.ci95_half_width, 9);
      expect(point.verdict).toBe(`${probe.undecided ? `undecided, ${probe.meets ? 'meets' : 'misses'} on the mean` : probe.meets ? 'meets' : 'misses'}`);
    }
    expect(json.probes.some((p) => p.undecided)).toBe(true);
    expect(values.filter((v) => v.kind === 'capacity').map((v) => v.rate)).toEqual([json.capacity_per_s]);
    expect(values.filter((v) => v.kind === 'slo').map((v) => v.p99)).toEqual([20]);

    // runs.csv holds each probe's judged runs, as a sweep over the rate.
    const runs = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n');
    expect(runs[0]).toMatch(/^experiment,run,replication,seed,traffic\.ratePerS,/);
    expect(runs.length - 1).toBe(json.probes.reduce((n, p) => n + p.replications, 0));
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/<figure id="chart-p99-by-rate">[\s\S]*?<svg [\s\S]*?<\/svg>\s*<\/figure>/);
    expect(html.match(/<table class="probes">[\s\S]*?<\/table>/)?.[0].match(/<tr><th scope="row">/g)).toHaveLength(json.probes.length);
  });
});
