// Everything a run of an experiment leaves in its output folder, written in one atomic step.

import type { TopLevelSpec } from 'vega-lite';
import type { ExperimentResults } from '../experiment/results.js';
import type { Experiment } from '../experiment/schema.js';
import { type Assertion, checkAssertions, formatViolation, parseAssertion } from '../experiment/gates.js';
import { summarize, summaryColumns } from '../experiment/summary.js';
import { capacityJson } from '../experiment/verdict-json.js';
import { type LockOwner, type OutputFile, writeResultSet } from './atomic-write.js';
import { chartsFor } from './chart-specs.js';
import { toCsv } from './csv.js';
import { renderSvg } from './render-chart.js';
import { renderPng } from './render-png.js';
import type { CapacityReport } from './report-capacity.js';
import { formatReport, type ReportChart } from './report-html.js';

/** Draws charts: in this process by default, or in a child that loaded the libraries early (cli/chart-process.ts). */
export interface ChartRenderer {
  svg(spec: TopLevelSpec): Promise<string>;
  png(svg: string): Promise<Uint8Array>;
}

const IN_PROCESS: ChartRenderer = { svg: renderSvg, png: renderPng };

export interface ResultOptions {
  /** Also rasterise every chart to `charts/<name>.png`. */
  readonly png?: boolean;
  /** false: no charts/ folder and a report without charts (the chart libraries never load). */
  readonly charts?: boolean;
  /**
   * The results are a capacity search's probes: its SLO terms are the chart's rules (not the
   * experiment's assertions), its answer is marked and reported, and capacity.json holds it.
   */
  readonly capacity?: CapacityReport;
  /** Where charts are drawn (default: here). */
  readonly renderer?: ChartRenderer;
}

/** Builds every output file in memory; nothing touches the disk here. */
export async function resultFiles(experiment: Experiment, results: ExperimentResults, options: ResultOptions = {}): Promise<OutputFile[]> {
  const summary = summarize(results);
  const { capacity } = options;
  const violations = capacity ? [] : checkAssertions(experiment.assert, results.params, summary).map(formatViolation);
  const rules = capacity ? capacity.slos : experiment.assert.map(parseAssertion).filter((a): a is Assertion => !('expected' in a));
  // Charts are asked for first, one at a time in order, so a renderer in another process draws
  // them while the CSV files are built here.
  const renderer = options.renderer ?? IN_PROCESS;
  const specs = options.charts === false ? [] : chartsFor(results, experiment, rules, capacity?.result);
  let previous: Promise<unknown> = Promise.resolve();
  const drawn = specs.map((chart) => {
    const svg = previous.then(() => renderer.svg(chart.spec));
    const png = options.png ? svg.then((s) => renderer.png(s)) : undefined;
    previous = (png ?? svg).catch(() => undefined);
    return { chart, svg, png };
  });
  const files: OutputFile[] = [
    { path: 'runs.csv', content: await toCsv(results.runColumns, results.runs, true) },
    { path: 'summary.csv', content: await toCsv(summaryColumns(results.params), summary) },
    { path: 'pods.csv', content: await toCsv(results.podColumns, results.pods) },
    { path: 'nodes.csv', content: await toCsv(results.nodeColumns, results.nodes) },
    { path: 'timeseries.csv', content: await toCsv(results.timeseriesColumns, results.timeseries) },
    { path: 'experiment.resolved.json', content: `${JSON.stringify(experiment, null, 2)}\n` },
    ...(capacity ? [{ path: 'capacity.json', content: `${JSON.stringify(capacityJson(experiment.name, capacity.slos, capacity.defaultAdded, capacity.result), null, 2)}\n` }] : []),
  ];
  const charts: ReportChart[] = [];
  for (const { chart, svg: pendingSvg, png } of drawn) {
    const svg = await pendingSvg;
    charts.push({ name: chart.name, title: String(chart.spec.title ?? chart.name), svg });
    files.push({ path: `charts/${chart.name}.vl.json`, content: `${JSON.stringify(chart.spec, null, 2)}\n` });
    files.push({ path: `charts/${chart.name}.svg`, content: svg });
    if (png) files.push({ path: `charts/${chart.name}.png`, content: await png });
  }
  files.push({ path: 'report.html', content: formatReport({ experiment, results, summary, charts, violations, ...(capacity ? { capacity } : {}) }) });
  return files;
}

/** Builds the files and replaces the folder's result set with them (see atomic-write.ts). */
export async function writeResults(outDir: string, experiment: Experiment, results: ExperimentResults, owner: LockOwner, options: ResultOptions = {}): Promise<string[]> {
  const files = await resultFiles(experiment, results, options);
  writeResultSet(outDir, files, owner);
  return files.map((f) => f.path);
}
