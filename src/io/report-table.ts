// report.html's summary table: a column per swept parameter, the share of requests that ended ok
// and in each outcome seen anywhere (failures first in the reader's eye), then the chosen
// metrics; each a mean over replications with its 95% CI half-width to two significant digits.

import { OUTCOMES } from '../metrics/outcome.js';
import type { ExperimentResults, Row } from '../experiment/results.js';
import { groupByPoint, meanCi } from '../experiment/summary.js';
import { escapeHtml } from './html-escape.js';


/** Four significant digits, at most; an undefined value is a dash. */
const sig = (v: number, digits: number): string => String(Number(v.toPrecision(digits)));

/** A share as a percentage: 33.33%, 0.012%, 100%. */
const percent = (v: number, digits: number): string => `${sig(v * 100, digits)}%`;

function cell(mean: number, half: number, asShare: boolean): string {
  if (!Number.isFinite(mean)) return '<td>–</td>';
  const show = (v: number, d: number) => (asShare ? percent(v, d) : sig(v, d));
  const ci = Number.isFinite(half) && half > 0 ? ` <span class="ci">± ${show(half, 2)}</span>` : '';
  return `<td>${show(mean, 4)}${ci}</td>`;
}

/** The outcomes some run counted (ok always), in OUTCOMES order. */
const outcomesSeen = (runs: readonly Row[]): string[] => OUTCOMES.filter((o) => o === 'ok' || runs.some((r) => (r[o] as number) > 0));

export function summaryTable(results: Pick<ExperimentResults, 'params' | 'runs'>, metrics: readonly string[]): string {
  const { params, runs } = results;
  const outcomes = outcomesSeen(runs);
  const head = [
    ...params.map((p) => `<th scope="col">${escapeHtml(p)}</th>`),
    '<th scope="col">n</th>',
    ...outcomes.map((o) => `<th scope="col" class="${o === 'ok' ? 'ok' : 'fail'}">${escapeHtml(o === 'ok' ? 'ok_share' : o)}</th>`),
    ...metrics.map((m) => `<th scope="col">${escapeHtml(m)}</th>`),
  ].join('');
  const body = groupByPoint(params, runs).map((point) => {
    const measured = point.runs.filter((r) => (r.requests as number) > 0);
    const shares = outcomes.map((o) => {
      const m = meanCi(measured.map((r) => (r[o] as number) / (r.requests as number)));
      return cell(m.mean, m.ci95HalfWidth, true);
    });
    const values = metrics.map((metric) => {
      const m = meanCi(point.runs.map((r) => r[metric] as number));
      return cell(m.mean, m.ci95HalfWidth, metric.endsWith('_share'));
    });
    const swept = params.map((p) => `<th scope="row">${escapeHtml(String(point.params[p]))}</th>`);
    return `<tr>${swept.join('')}<td>${point.runs.length}</td>${shares.join('')}${values.join('')}</tr>`;
  });
  return `<div class="wide">\n<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body.join('\n')}\n</tbody>\n</table>\n</div>`;
}
