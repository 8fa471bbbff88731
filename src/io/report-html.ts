// report.html: one self-contained, offline page (styles and SVGs inline, no external URLs)
// saying what was run, the summary table and every chart. Pure: same inputs, same bytes.

import type { ExperimentResults, Row } from '../experiment/results.js';
import type { Experiment } from '../experiment/schema.js';
import { reportMetrics } from '../experiment/report-metrics.js';
import { type CapacityReport, capacityRunItems, capacitySection } from './report-capacity.js';
import { summaryTable } from './report-table.js';
import { escapeHtml } from './html-escape.js';

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
  /** A capacity search's answer and probes, shown where a run shows its checks. */
  readonly capacity?: CapacityReport;
}

/** Any value as page text; numbers too, since a merged shard's values come from a file. */
const text = (v: unknown): string => escapeHtml(String(v));


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

function whatWasRun(e: Experiment, runs: number, capacity?: CapacityReport): string {
  const sweep = Object.entries(e.sweep);
  const head =
    capacity !== undefined
      ? capacityRunItems(e, capacity, runs)
      : [
          sweep.length === 0
            ? '<li>No sweep: one configuration.</li>'
            : `<li>Sweep (cross product): ${sweep.map(([path, values]) => `<code>${escapeHtml(path)}</code> ∈ {${values.map((v) => escapeHtml(JSON.stringify(v))).join(', ')}}`).join('; ')}.</li>`,
          `<li>${text(e.replications)} replication${e.replications === 1 ? '' : 's'} per point, ${text(runs)} runs in all; seed ${text(e.seed)}.</li>`,
        ];
  const items = [
    ...head,
    `<li>${text(e.durationS)} s of simulated time measured per run, after ${text(e.warmupS)} s of warm-up.</li>`,
    `<li>Proxy mode ${escapeHtml(e.proxy.mode)}, ${text(e.traffic.clients)} clients at ${text(e.traffic.ratePerS)} requests/s through ${escapeHtml(e.traffic.ingress)} ingress (unless swept).</li>`,
  ];
  return `<ul>\n${items.join('\n')}\n</ul>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#222}
table{border-collapse:collapse;font-size:.9rem;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:right}
thead th,tbody th{text-align:left;background:#f4f4f4}.ci{color:#666;font-size:.8em}figure{margin:2rem 0}
figure svg{max-width:100%;height:auto}.violations{color:#a00}pre{background:#f7f7f7;padding:1rem;overflow:auto}.wide{overflow-x:auto}
th.fail{color:#a00}
@media print{body{margin:0;max-width:none}.wide{overflow:visible}table{font-size:7pt;width:100%;table-layout:auto}
th,td{padding:.1rem .2rem}figure{break-inside:avoid;page-break-inside:avoid}figure svg{max-height:95vh;width:auto}
h2,h3{break-after:avoid}details{display:none}}`;

function tableOfContents(checks: 'checks' | 'capacity' | undefined, charts: readonly ReportChart[]): string {
  const items = [
    '<li><a href="#what-was-run">What was run</a></li>',
    ...(checks === 'checks' ? ['<li><a href="#checks">Checks</a></li>'] : checks === 'capacity' ? ['<li><a href="#capacity">Capacity</a></li>'] : []),
    '<li><a href="#summary">Summary</a></li>',
    `<li><a href="#charts">Charts</a><ol>${charts.map((c) => `<li><a href="#chart-${escapeHtml(c.name)}">${escapeHtml(c.title)}</a></li>`).join('')}</ol></li>`,
  ];
  return `<nav aria-label="Contents">\n<ol>\n${items.join('\n')}\n</ol>\n</nav>`;
}

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
    tableOfContents(input.capacity ? 'capacity' : e.assert.length > 0 ? 'checks' : undefined, charts),
    '<h2 id="what-was-run">What was run</h2>',
    whatWasRun(e, results.runs.length, input.capacity),
    // A capacity search judges its SLO terms, not the experiment's assertions.
    input.capacity
      ? capacitySection(input.capacity)
      : e.assert.length === 0
      ? ''
      : `<h2 id="checks">Checks</h2>\n${
          violations.length === 0
            ? `<p>All ${e.assert.length} assertions hold at every sweep point: ${e.assert.map((a) => `<code>${escapeHtml(a)}</code>`).join(', ')}.</p>`
            : `<ul class="violations">\n${violations.map((v) => `<li>${escapeHtml(v)}</li>`).join('\n')}\n</ul>`
        }`,
    '<h2 id="summary">Summary</h2>',
    '<p>Per sweep point: the share of measured requests that ended ok and in each failure outcome seen in any run, then the metrics the question is about (<code>report.metrics</code>). Mean over replications ± half-width of its 95% confidence interval (Student t, two significant digits); latency percentiles are those of the successful requests. Every metric is in <code>summary.csv</code>.</p>',
    summaryTable(results, reportMetrics(e.report.metrics, results.params, e.events.length > 0)),
    '<h2 id="charts">Charts</h2>',
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
