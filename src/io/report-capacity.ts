// The parts of report.html that a capacity search adds: what was searched, the answer, and every
// probe in the order it ran with each SLO term's mean ± 95% CI and the verdict. Pure.

import type { CapacityResult, Probe, Slo } from '../experiment/capacity.js';
import type { Experiment } from '../experiment/schema.js';
import { escapeHtml } from './html-escape.js';

export interface CapacityReport {
  readonly slos: readonly Slo[];
  /** The error_share term was added by default (no --slo named error_share). */
  readonly defaultAdded: boolean;
  readonly result: CapacityResult;
  /** The answer as `capacity` prints it. */
  readonly answer: string;
}

const sig = (v: number, digits: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : '–');

const sloHtml = (c: CapacityReport): string =>
  c.slos.map((s, i) => `<code>${escapeHtml(s.text)}</code>${c.defaultAdded && i === c.slos.length - 1 ? ' (by default)' : ''}`).join(' and ');

/** "What was run" for a search: the probes are the sweep points of every table and chart. */
export function capacityRunItems(e: Experiment, c: CapacityReport, runs: number): string[] {
  const rates = c.result.probes.map((p) => escapeHtml(sig(p.rate, 6)));
  return [
    `<li>A capacity search of <code>traffic.ratePerS</code> for the SLO ${sloHtml(c)}: ${rates.length} probe${rates.length === 1 ? '' : 's'}, in the order run, at ${rates.join(', ')} requests/s. Each probed rate is a sweep point of the tables and charts below.</li>`,
    `<li>${escapeHtml(String(e.replications))} replication${e.replications === 1 ? '' : 's'} per probe to start with, more for a probe whose interval straddled a threshold (see the table); ${escapeHtml(String(runs))} runs in all; seed ${escapeHtml(String(e.seed))}.</li>`,
  ];
}

const judged = (p: Probe): string => `${p.meets ? 'meets' : 'misses'}${p.undecided ? ' (undecided at the most replications allowed: judged on the means)' : ''}`;

/** The answer and a row per probe, in the order the search ran them. */
export function capacitySection(c: CapacityReport): string {
  const head = ['#', 'rate (requests/s)', 'n', ...c.slos.map((s) => escapeHtml(s.text)), 'probe'].map((h) => `<th scope="col">${h}</th>`).join('');
  const rows = c.result.probes.map((p, i) => {
    const terms = p.terms.map((t) => `<td>${sig(t.mean, 4)}${Number.isFinite(t.ci95HalfWidth) ? ` <span class="ci">± ${sig(t.ci95HalfWidth, 2)}</span>` : ''} ${escapeHtml(t.verdict)}</td>`);
    return `<tr><th scope="row">${i + 1}</th><td>${sig(p.rate, 6)}</td><td>${p.replications}</td>${terms.join('')}<td class="${p.meets ? 'ok' : 'fail'}">${escapeHtml(judged(p))}</td></tr>`;
  });
  return [
    '<h2 id="capacity">Capacity</h2>',
    `<pre class="answer">${escapeHtml(c.answer.trimEnd())}</pre>`,
    '<p>Every probe, in the order the search ran it: each SLO term\'s mean over the replications ± half-width of its 95% confidence interval and its verdict (pass when the whole interval is on the right side of the threshold). The chart of p99 against the rate marks the probes and the capacity found.</p>',
    `<div class="wide">\n<table class="probes">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>\n</div>`,
  ].join('\n');
}
