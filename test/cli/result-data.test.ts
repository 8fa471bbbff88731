import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../support/csv.js';

// Files users join and trust: ids in every table, phases in the time series, runs.csv precise
// enough to recompute summary.csv, and a per-request trace that adds up to runs.csv.
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-data-'));
const file = join(dir, 'data.yaml');
writeFileSync(
  file,
  [
    'name: data',
    'seed: 7',
    'replications: 3',
    'durationS: 2',
    'warmupS: 1',
    'timeseriesBucketS: 0.5',
    `cluster: {nodes: 3, manifests: [${resolve('experiments/manifests/nginx.yaml')}], placement: [2, 1, 0]}`,
    'traffic: {ratePerS: 800}',
    'sweep: {service.externalTrafficPolicy: [Cluster, Local]}',
  ].join('\n'),
);
const out = join(dir, 'out');
const tracePath = join(dir, 'trace.csv');
const r = spawnSync('node', ['dist/cli/main.js', 'run', file, '--out', out, '--quiet', '--trace', tracePath], { encoding: 'utf8' });
const read = (name: string) => parseCsv(readFileSync(join(out, name), 'utf8'));

/** t(0.975, ν) for ν = 1..4, from a printed table (Abramowitz & Stegun, Table 26.10). */
const T975 = [Number.NaN, 12.706205, 4.302653, 3.182446, 2.776445];

describe('result data', () => {
  it('ran', () => {
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('puts replication and seed in every CSV (summary: the seed its points share)', () => {
    for (const name of ['runs.csv', 'pods.csv', 'nodes.csv', 'timeseries.csv']) {
      const rows = read(name);
      expect(rows.length, name).toBeGreaterThan(0);
      for (const row of rows) {
        expect(row.seed, name).toBe('7');
        expect(['0', '1', '2'], name).toContain(row.replication);
      }
    }
    for (const row of read('summary.csv')) expect(row.seed).toBe('7');
  });

  it('labels each time bucket warmup, measured or drain by where it starts', () => {
    for (const row of read('timeseries.csv')) {
      const t = Number(row.t_s);
      expect(row.phase).toBe(t < 1 ? 'warmup' : t < 3 ? 'measured' : 'drain');
    }
  });

  it('recomputes summary.csv’s means and 95% CIs from runs.csv', () => {
    const runs = read('runs.csv');
    let checked = 0;
    for (const s of read('summary.csv')) {
      const xs = runs.filter((x) => x['service.externalTrafficPolicy'] === s['service.externalTrafficPolicy']).map((x) => x[s.metric]).filter((v) => v !== '').map(Number);
      expect(xs.length).toBe(Number(s.n));
      if (xs.length < 2) continue;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
      const half = (T975[xs.length - 1] * sd) / Math.sqrt(xs.length);
      // summary.csv prints 6 significant digits; the table's t has 7.
      expect(Math.abs(mean - Number(s.mean)), s.metric).toBeLessThanOrEqual(Math.abs(mean) * 1e-5 + 1e-12);
      expect(Math.abs(half - Number(s.ci95_half_width)), s.metric).toBeLessThanOrEqual(half * 1e-5 + 1e-12);
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('traces every request once; its measured rows count what runs.csv counts, and a served request’s parts add up to its latency', () => {
    const trace = parseCsv(readFileSync(tracePath, 'utf8'));
    const runs = read('runs.csv');
    for (const run of runs) {
      const rows = trace.filter((t) => t.run === run.run);
      expect(rows.every((t) => t.replication === run.replication && t.seed === run.seed)).toBe(true);
      const measured = rows.filter((t) => t.measured === '1');
      expect(measured.length).toBe(Number(run.requests) - Number(run.in_flight_at_end));
      for (const outcome of ['ok', 'dropped_no_local_endpoint', 'timeout', 'refused_no_listener']) {
        expect(measured.filter((t) => t.outcome === outcome).length, outcome).toBe(Number(run[outcome]));
      }
    }
    const served = trace.filter((t) => t.outcome === 'ok');
    expect(served.length).toBeGreaterThan(1000);
    for (const t of served) {
      expect(Number(t.latency_ns)).toBe(Number(t.ended_at_ns) - Number(t.sent_at_ns));
      expect(Number(t.network_ns) + Number(t.dataplane_ns) + Number(t.pod_queue_ns) + Number(t.service_ns)).toBe(Number(t.latency_ns));
      expect(t.pod).toMatch(/^nginx-deployment-\d$/);
      expect(t.ingress_node).toMatch(/^node-\d$/);
    }
    // Local drops what reaches node-3, which runs no pod.
    expect(trace.filter((t) => t.outcome === 'dropped_no_local_endpoint').every((t) => t.ingress_node === 'node-3' && t.pod === '')).toBe(true);
  });
});
