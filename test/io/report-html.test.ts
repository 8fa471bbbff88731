import { describe, expect, it } from 'vitest';
import { validateExperiment } from '../../src/experiment/schema.js';
import { summarize } from '../../src/experiment/summary.js';
import { formatReport, inlineSvg } from '../../src/io/report-html.js';
import { syntheticResults } from './synthetic-results.js';

const { experiment } = validateExperiment({
  name: 'report-test',
  title: 'Policy <comparison>',
  question: 'Does Local unbalance pods?',
  description: 'Cluster & Local side by side',
  replications: 2,
  durationS: 7,
  warmupS: 1.5,
  sweep: { 'service.externalTrafficPolicy': ['Cluster', 'Local'] },
  assert: ['latency_p99_ms < 20'],
});
if (!experiment) throw new Error('invalid test experiment');
const results = syntheticResults({ 'service.externalTrafficPolicy': ['Cluster', 'Local'] }, 2, (_, rep) => ({ latency_p99_ms: rep === 0 ? 2 : 4 }));
const charts = [
  { name: 'a', title: 'Chart A', svg: '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><rect width="1" height="1"/></svg>' },
  { name: 'b', title: 'Chart B', svg: '<svg xmlns="http://www.w3.org/2000/svg"><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"/></svg>' },
];
const html = formatReport({ experiment, results, summary: summarize(results), charts });

describe('report.html', () => {
  it('states the title, question and description, escaped', () => {
    expect(html).toContain('<h1>Policy &lt;comparison&gt;</h1>');
    expect(html).toContain('Does Local unbalance pods?');
    expect(html).toContain('Cluster &amp; Local side by side');
  });

  it('says what was run: the sweep, the replications and the durations', () => {
    expect(html).toContain('<code>service.externalTrafficPolicy</code> ∈ {&quot;Cluster&quot;, &quot;Local&quot;}');
    expect(html).toContain('2 replications per point, 4 runs in all');
    expect(html).toContain('7 s of simulated time measured per run, after 1.5 s of warm-up');
  });

  it('shows mean ± Student-t half-width per point, the half-width to two digits: p99 of 2 and 4 is 3 ± 13', () => {
    // t(0.975, 1) = 12.706; s = √2, so the half-width is 12.706·√2/√2.
    const header = html.split('\n').find((l) => l.startsWith('<thead>')) as string;
    const columns = [...header.matchAll(/<th scope="col"[^>]*>([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(columns.slice(0, 3)).toEqual(['service.externalTrafficPolicy', 'n', 'ok_share']);
    const row = html.split('\n').find((l) => l.startsWith('<tr><th scope="row">Local</th>')) as string;
    const cells = [...row.matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((m) => m[1]);
    expect(cells[columns.indexOf('latency_p99_ms')]).toBe('3 <span class="ci">± 13</span>');
    expect(cells[columns.indexOf('n')]).toBe('2');
  });

  it('opens with a table of contents linking every section and chart', () => {
    for (const id of ['what-was-run', 'checks', 'summary', 'charts', 'chart-a', 'chart-b']) {
      expect(html).toContain(`<a href="#${id}">`);
      expect(html).toContain(`id="${id}"`);
    }
  });

  it('inlines every chart and names no external URL', () => {
    expect(html).toContain('<figure id="chart-a">');
    expect(html).toContain('<svg width="10" height="10"><rect width="1" height="1"/></svg>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<(script|link|img|iframe)\b/);
  });

  it("keeps each chart's ids its own", () => {
    expect(inlineSvg('b', charts[1].svg)).toBe('<svg><defs><clipPath id="b-clip1"><rect/></clipPath></defs><g clip-path="url(#b-clip1)"/></svg>');
  });

  it('lists the assertions that hold, and the violations when some do not', () => {
    expect(html).toContain('All 1 assertions hold');
    const failing = formatReport({ experiment, results, summary: summarize(results), charts, violations: ['p99 too high'] });
    expect(failing).toContain('<ul class="violations">\n<li>p99 too high</li>');
  });

  it('holds the resolved experiment in a details element', () => {
    expect(html).toMatch(/<details>\n<summary>[^<]+<\/summary>\n<pre>\{\n {2}&quot;name&quot;: &quot;report-test&quot;/);
  });

  it('is a complete document', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html.endsWith('</html>\n')).toBe(true);
  });
});
