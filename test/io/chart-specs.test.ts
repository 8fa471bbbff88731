import { Resvg } from '@resvg/resvg-js';
import { describe, expect, it } from 'vitest';
import { chartsFor } from '../../src/io/chart-specs.js';
import { renderSvg } from '../../src/io/render-chart.js';
import { PNG_OPTIONS, renderPng } from '../../src/io/render-png.js';
import { syntheticResults } from './synthetic-results.js';

const names = (r: ReturnType<typeof syntheticResults>) => chartsFor(r).map((c) => c.name);
const dataOf = (spec: unknown) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

describe('chartsFor picks charts that fit the sweep', () => {
  it('gives latency, pod load and hops for any experiment', () => {
    expect(names(syntheticResults({}, 2, () => ({})))).toEqual(['latency-percentiles', 'pod-load', 'hops']);
  });

  it('adds per-pod load by traffic policy when the policy is swept', () => {
    expect(names(syntheticResults({ 'service.externalTrafficPolicy': ['Cluster', 'Local'] }, 1, () => ({})))).toContain('pod-load-by-policy');
  });

  it('adds p99 against background services by mode, and rules walked by mode, when both are swept', () => {
    const r = syntheticResults({ 'proxy.mode': ['iptables', 'ipvs'], 'cluster.backgroundServices': [10, 1000, 30000] }, 2, () => ({}));
    expect(names(r)).toEqual(['latency-percentiles', 'pod-load', 'p99-by-background-services', 'hops', 'rules-walked']);
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
    expect(dataOf(spec).map((v) => v.share)).toEqual([0.75, 0.25]);
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
