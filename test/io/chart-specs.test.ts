import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it, vi } from 'vitest';
import type { Assertion } from '../../src/experiment/gates.js';
import { OUTCOMES } from '../../src/metrics/outcome.js';
import { chartsFor, scaleFor } from '../../src/io/chart-specs.js';
import { renderSvg } from '../../src/io/render-chart.js';
import { PNG_OPTIONS, renderPng } from '../../src/io/render-png.js';
import { syntheticResults } from './synthetic-results.js';

const names = (r: ReturnType<typeof syntheticResults>) => chartsFor(r).map((c) => c.name);
const dataOf = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

describe('chartsFor picks charts that fit the sweep', () => {
  it('gives outcomes, latency, pod load and hops for any experiment', () => {
    expect(names(syntheticResults({}, 2, () => ({})))).toEqual(['outcomes', 'latency-percentiles', 'pod-load', 'hops']);
  });

  it('adds per-pod load by traffic policy when the policy is swept', () => {
    expect(names(syntheticResults({ 'service.externalTrafficPolicy': ['Cluster', 'Local'] }, 1, () => ({})))).toContain('pod-load-by-policy');
  });

  it('adds p99 against background services by mode, and rules walked by mode, when both are swept', () => {
    const r = syntheticResults({ 'proxy.mode': ['iptables', 'ipvs'], 'cluster.backgroundServices': [10, 1000, 30000] }, 2, () => ({}));
    expect(names(r)).toEqual(['outcomes', 'latency-percentiles', 'pod-load', 'p99-by-background-services', 'hops', 'rules-walked']);
    expect(names(syntheticResults({ 'cluster.backgroundServices': [10, 100] }, 1, () => ({})))).not.toContain('p99-by-background-services');
  });

  it('plots p99 over background services on a log axis, falling back to symlog when 0 is among them', () => {
    const x = (services: number[]) => {
      const r = syntheticResults({ 'proxy.mode': ['iptables'], 'cluster.backgroundServices': services }, 1, () => ({}));
      const spec = chartsFor(r).find((c) => c.name === 'p99-by-background-services')?.spec as { encoding: { x: { scale: { type: string } } } };
      return spec.encoding.x.scale.type;
    };
    expect(x([10, 100])).toBe('log');
    expect(x([0, 100])).toBe('symlog');
  });

  it('gives each pod its share of its run: 30 and 10 requests are 75% and 25%', () => {
    const spec = chartsFor(syntheticResults({}, 1, () => ({}))).find((c) => c.name === 'pod-load')?.spec;
    expect(dataOf(spec).map((v) => v.mean)).toEqual([0.75, 0.25]);
  });

  it("whiskers each pod's share with its 95% CI over replications: shares 0.75 and 0.5 give 0.625 ± t(0.975, 1)·0.125", () => {
    const r = syntheticResults({ 'service.externalTrafficPolicy': ['Cluster', 'Local'] }, 2, () => ({}));
    // The second replication's pods get 10 and 10 requests: shares 0.5 and 0.5.
    const pods = r.pods.map((p) => ((p.run as number) % 2 === 1 ? { ...p, requests: 10 } : p));
    // t with one degree of freedom is Cauchy: its 0.975 quantile is tan(0.475π).
    const half = Math.tan(0.475 * Math.PI) * (0.25 / Math.SQRT2 / Math.SQRT2);
    for (const name of ['pod-load', 'pod-load-by-policy']) {
      const values = dataOf(chartsFor({ ...r, pods }).find((c) => c.name === name)?.spec);
      expect(values, name).toHaveLength(4);
      const web0 = values.filter((v) => v.pod === 'web-0 (node-1)');
      expect(web0.map((v) => v.mean)).toEqual([0.625, 0.625]);
      for (const v of web0) {
        expect(v.lo as number).toBeCloseTo(0.625 - half, 12);
        expect(v.hi as number).toBeCloseTo(0.625 + half, 12);
      }
    }
  });

  it('renders every chart to an SVG whose rendered marks show the data (mean p99 of 2 and 4 → 3)', async () => {
    const r = syntheticResults({ 'proxy.mode': ['iptables', 'nftables'], 'cluster.backgroundServices': [1, 1000], 'service.externalTrafficPolicy': ['Cluster', 'Local'] }, 2, (_, rep) => ({
      latency_p99_ms: rep === 0 ? 2 : 4,
    }));
    for (const chart of chartsFor(r)) {
      const svg = await renderSvg(chart.spec);
      expect(svg, chart.name).toMatch(/^<svg /);
      expect(svg, chart.name).toContain('</svg>');
    }
    const p99 = chartsFor(r).find((c) => c.name === 'p99-by-background-services');
    // Vega's tooltip text on each point carries the aggregated value.
    expect(await renderSvg(p99?.spec as never)).toMatch(/p99 latency[^"]*: 3/);
  });
});

describe('charts render without a Vega warning', () => {
  const rendered = async (spec: unknown): Promise<unknown[][]> => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      await renderSvg(spec as never);
      return warn.mock.calls;
    } finally {
      warn.mockRestore();
    }
  };

  it('catches a warning where one is due: a facet of layers with independent y scales', async () => {
    const values = [{ p: 'a', pod: 'x', mean: 0.5, lo: 0.4, hi: 0.6 }, { p: 'b', pod: 'y', mean: 0.5, lo: 0.4, hi: 0.6 }];
    const layers = [
      { mark: 'bar', encoding: { x: { field: 'mean', type: 'quantitative' } } },
      { mark: 'rule', encoding: { x: { field: 'lo', type: 'quantitative' }, x2: { field: 'hi' } } },
    ];
    const spec = { data: { values }, facet: { row: { field: 'p', type: 'nominal' } }, spec: { encoding: { y: { field: 'pod', type: 'nominal' } }, layer: layers }, resolve: { scale: { y: 'independent' } } };
    expect((await rendered(spec)).join('\n')).toMatch(/independent scales/);
  });

  it('warns for no chart of a sweep over every charted parameter, pod-load panels and whiskers included', async () => {
    const r = syntheticResults({ 'proxy.mode': ['iptables', 'nftables'], 'cluster.backgroundServices': [1, 1000], 'service.externalTrafficPolicy': ['Cluster', 'Local'], 'traffic.ratePerS': [1000, 2000] }, 2, (_, rep) => ({
      latency_p99_ms: rep === 0 ? 2 : 4,
    }));
    const timeseries = r.runs.map((row) => ({ ...row, t_s: 0, phase: 'measured', series: 'throughput_per_s', pod: '', value: 5 }));
    const charts = chartsFor({ ...r, timeseries }, { warmupS: 1, durationS: 1, events: [{ atS: 0.5, action: 'kill-pod', pod: 'web-0' }] }, [{ metric: 'latency_p99_ms', op: '<', threshold: 3 }]);
    expect(charts.map((c) => c.name)).toEqual(expect.arrayContaining(['timeline', 'p99-by-rate', 'pod-load', 'pod-load-by-policy', 'p99-by-background-services']));
    for (const chart of charts) expect(await rendered(chart.spec), chart.name).toEqual([]);
  });
});

describe('charts that show failures', () => {
  const none = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  // Two replications: 60 and 80 of 90 requests ok, the rest dropped (and, in the second, 5 timeouts).
  const r = syntheticResults({ 'service.externalTrafficPolicy': ['Cluster', 'Local'] }, 2, (point, rep) =>
    point['service.externalTrafficPolicy'] === 'Cluster'
      ? { ...none, requests: 90, ok: 90 }
      : { ...none, requests: 90, ok: rep === 0 ? 60 : 80, dropped_no_local_endpoint: rep === 0 ? 30 : 5, timeout: rep === 0 ? 0 : 5 },
  );

  it('stacks, per point, the mean share of ok and of each outcome seen in some run', () => {
    const values = dataOf(chartsFor(r).find((c) => c.name === 'outcomes')?.spec);
    const at = (point: string, outcome: string) => values.find((v) => v.point === point && v.outcome === outcome)?.share;
    expect(new Set(values.map((v) => v.outcome))).toEqual(new Set(['ok', 'dropped_no_local_endpoint', 'timeout']));
    expect(at('externalTrafficPolicy=Local', 'ok')).toBeCloseTo((60 / 90 + 80 / 90) / 2, 12);
    expect(at('externalTrafficPolicy=Local', 'dropped_no_local_endpoint')).toBeCloseTo((30 / 90 + 5 / 90) / 2, 12);
    expect(at('externalTrafficPolicy=Cluster', 'ok')).toBe(1);
    for (const point of ['externalTrafficPolicy=Cluster', 'externalTrafficPolicy=Local']) {
      expect(values.filter((v) => v.point === point).reduce((a, v) => a + (v.share as number), 0)).toBeCloseTo(1, 12);
    }
  });

  it('uses a log axis where values span more than two decades (1 vs 9 vs 20,000), linear from zero otherwise', () => {
    expect(scaleFor([1, 9, 20_000])).toEqual({ type: 'log' });
    expect(scaleFor([1, 9, 90])).toEqual({ zero: true });
    expect(scaleFor([0, 9, 20_000])).toEqual({ zero: true });
  });

  it('marks each scheduled event and shades warm-up and drain on the time series', () => {
    const withSeries = {
      ...r,
      timeseries: [0, 1, 2, 3].flatMap((t) => [
        { run: 0, 'service.externalTrafficPolicy': 'Local', t_s: t, series: 'throughput_per_s', pod: '', value: 10 },
        { run: 0, 'service.externalTrafficPolicy': 'Local', t_s: t, series: 'dropped_no_local_endpoint', pod: '', value: 3 },
      ]),
    };
    const spec = chartsFor(withSeries, { warmupS: 1, durationS: 2, events: [{ atS: 1.5, action: 'kill-pod', pod: 'web-0' }] }).find((c) => c.name === 'timeline')?.spec;
    const values = dataOf(spec);
    expect(values.filter((v) => v.kind === 'event')).toEqual([{ kind: 'event', point: 'externalTrafficPolicy=Local', t: 1.5, label: 'kill web-0' }]);
    expect(values.filter((v) => v.kind === 'phase').map((v) => [v.phase, v.from, v.to])).toEqual([
      ['warm-up', 0, 1],
      ['drain', 3, 4],
    ]);
    expect(values.find((v) => v.kind === 'rate' && v.outcome === 'dropped_no_local_endpoint')?.perS).toBe(3);
  });

  it('draws p99 against the rate with each p99 SLO as a rule', async () => {
    const rated = syntheticResults({ 'traffic.ratePerS': [1000, 2000] }, 2, (point) => ({ latency_p99_ms: (point['traffic.ratePerS'] as number) / 100 }));
    const slo: Assertion = { metric: 'latency_p99_ms', op: '<', threshold: 15 };
    const spec = chartsFor(rated, undefined, [slo]).find((c) => c.name === 'p99-by-rate')?.spec;
    const values = dataOf(spec);
    expect(values.filter((v) => v.kind === 'p99').map((v) => [v.rate, v.p99])).toEqual([
      [1000, 10],
      [2000, 20],
    ]);
    expect(values.filter((v) => v.kind === 'slo')).toEqual([{ kind: 'slo', p99: 15, label: 'SLO p99 < 15 ms' }]);
    expect(await renderSvg(spec as never)).toContain('SLO p99 &lt; 15 ms');
  });

  it('names no dotted field (Vega would read a.b as a nested path)', () => {
    const fields: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'field' && typeof x === 'string') fields.push(x);
          else if (k !== 'data') walk(x);
        }
      }
    };
    const rated = syntheticResults({ 'traffic.ratePerS': [1000], 'proxy.mode': ['iptables'], 'cluster.backgroundServices': [1, 10], 'service.externalTrafficPolicy': ['Local'] }, 1, () => ({}));
    for (const c of chartsFor(rated, { warmupS: 1, durationS: 1, events: [] })) walk(c.spec);
    expect(fields.length).toBeGreaterThan(10);
    expect(fields.filter((f) => f.includes('.'))).toEqual([]);
  });
});

describe('PNG output', () => {
  it('draws text with the bundled font (a text-only SVG gets dark pixels)', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="5" y="30" font-family="sans-serif" font-size="24">Hello</text></svg>';
    const image = new Resvg(svg, PNG_OPTIONS).render();
    const px = image.pixels;
    let dark = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] < 128) dark++;
    expect(dark).toBeGreaterThan(50);
  });

  it('writes PNG files with the PNG signature', async () => {
    const chart = chartsFor(syntheticResults({}, 1, () => ({})))[0];
    const png = await renderPng(await renderSvg(chart.spec));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
