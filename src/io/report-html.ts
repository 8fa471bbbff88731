// report.html: one self-contained, offline page (styles and SVGs inline, no external URLs)
// saying what was run, the summary table and every chart. Pure: same inputs, same bytes.

import type { ExperimentResults, Row } from '../experiment/results.js';
import type { Experiment } from '../experiment/schema.js';
import { pointLabel } from './chart-specs.js';

export interface ReportChart {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

export interface ReportInput {
  readonly experiment: Experiment;
  readonly results: ExperimentResults;
  /** summary.csv's rows. */
  readonly summary: readonly Row[];
  readonly charts: readonly ReportChart[];
  /** One line per violated assertion; empty when all hold. */
  readonly violations?: readonly string[];
}

/** The metrics the table shows; summary.csv has them all. */
export const REPORT_METRICS = [
  'throughput_per_s',
  'latency_mean_ms',
  'latency_p99_ms',
  'hops_mean',
  'cross_node_share',
  'client_ip_preserved_share',
  'balance_max_over_mean',
  'rules_walked_mean',
  'timeout',
] as const;

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Any value as page text; numbers too, since a merged shard's values come from a file. */
const text = (v: unknown): string => escapeHtml(String(v));

/** Four significant digits, trailing zeros dropped; an undefined value shows as a dash. */
const num = (v: unknown): string => (typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toPrecision(4))) : '–');

/**
 * An SVG ready to sit inline: the namespace declarations go (HTML needs none, and the page then
 * names no URL at all) and ids get the chart's name, since ids are global to the page.
 */
export function inlineSvg(chartName: string, svg: string): string {
  const name = escapeHtml(chartName).replace(/\$/g, '$$$$');
  return svg
    .replace(/^<\?xml[^>]*>\s*/, '')
    .replace(/\s+xmlns(:\w+)?="[^"]*"/g, '')
    .replace(/\bid="([^"]+)"/g, `id="${name}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${name}-$1)`)
    .replace(/(xlink:)?href="#([^"]+)"/g, `href="#${name}-$2"`);
}

function whatWasRun(e: Experiment, runs: number): string {
  const sweep = Object.entries(e.sweep);
  const items = [
    sweep.length === 0
      ? '<li>No sweep: one configuration.</li>'
      : `<li>Sweep (cross product): ${sweep.map(([path, values]) => `<code>${escapeHtml(path)}</code> ∈ {${values.map((v) => escapeHtml(JSON.stringify(v))).join(', ')}}`).join('; ')}.</li>`,
    `<li>${text(e.replications)} replication${e.replications === 1 ? '' : 's'} per point, ${text(runs)} runs in all; seed ${text(e.seed)}.</li>`,
    `<li>${text(e.durationS)} s of simulated time measured per run, after ${text(e.warmupS)} s of warm-up.</li>`,
    `<li>Proxy mode ${escapeHtml(e.proxy.mode)}, ${text(e.traffic.clients)} clients at ${text(e.traffic.ratePerS)} requests/s through ${escapeHtml(e.traffic.ingress)} ingress (unless swept).</li>`,
  ];
  return `<ul>\n${items.join('\n')}\n</ul>`;
}

function summaryTable(params: readonly string[], summary: readonly Row[]): string {
  const points = new Map<string, { params: Row; cells: Map<string, Row> }>();
  for (const row of summary) {
    const key = JSON.stringify(params.map((p) => row[p]));
    if (!points.has(key)) points.set(key, { params: row, cells: new Map() });
    points.get(key)?.cells.set(row.metric as string, row);
  }
  const head = ['sweep point', 'n', ...REPORT_METRICS].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = [...points.values()].map(({ params: p, cells }) => {
    const metricCells = REPORT_METRICS.map((m) => {
      const c = cells.get(m);
      const hw = c ? num(c.ci95_half_width) : '–';
      return `<td>${num(c?.mean)}${hw === '–' ? '' : ` <span class="ci">± ${hw}</span>`}</td>`;
    });
    return `<tr><th scope="row">${escapeHtml(pointLabel(params, p))}</th><td>${num(cells.get(REPORT_METRICS[0])?.n)}</td>${metricCells.join('')}</tr>`;
  });
  return `<div class="wide">\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>\n</div>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}
thead th,tbody th{text-align:left;background:#f4f4f4}.ci{color:#666;font-size:.8em}figure{margin:2rem 0}
figure svg{max-width:100%;height:auto}.violations{color:#a00}pre{background:#f7f7f7;padding:1rem;overflow:auto}.wide{overflow-x:auto}`;

export function formatReport(input: ReportInput): string {
  const { experiment: e, results, summary, charts } = input;
  const title = e.title || e.name;
  const violations = input.violations ?? [];
  const parts = [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} — nodeport-sim</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    e.question ? `<p><strong>Question:</strong> ${escapeHtml(e.question)}</p>` : '',
    e.description ? `<p>${escapeHtml(e.description)}</p>` : '',
    '<h2>What was run</h2>',
    whatWasRun(e, results.runs.length),
    e.assert.length === 0
      ? ''
      : `<h2>Checks</h2>\n${
          violations.length === 0
            ? `<p>All ${e.assert.length} assertions hold at every sweep point: ${e.assert.map((a) => `<code>${escapeHtml(a)}</code>`).join(', ')}.</p>`
            : `<ul class="violations">\n${violations.map((v) => `<li>${escapeHtml(v)}</li>`).join('\n')}\n</ul>`
        }`,
    '<h2>Summary</h2>',
    '<p>Mean over replications ± half-width of its 95% confidence interval (Student t); every metric is in <code>summary.csv</code>.</p>',
    summaryTable(results.params, summary),
    '<h2>Charts</h2>',
    ...charts.map((c) => `<figure id="chart-${escapeHtml(c.name)}">\n<figcaption><h3>${escapeHtml(c.title)}</h3></figcaption>\n${inlineSvg(c.name, c.svg)}\n</figure>`),
    '<details>',
    '<summary>The experiment as run (after defaults)</summary>',
    `<pre>${escapeHtml(JSON.stringify(e, null, 2))}</pre>`,
    '</details>',
    '</body>',
    '</html>',
  ];
  return `${parts.filter((p) => p !== '').join('\n')}\n`;
}
