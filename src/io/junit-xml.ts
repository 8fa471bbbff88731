// Gates as JUnit XML, the report format CI systems read: one test case per assertion and sweep
// point (run) or per SLO term at the answer (capacity). Pure: the CLI writes the text.

import type { CapacityResult, Probe } from '../experiment/capacity.js';
import type { Judgement } from '../experiment/gates.js';

const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);

const num = (v: number): string => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : 'undefined');

interface Case {
  readonly name: string;
  /** Set when the case failed. */
  readonly failure?: string;
  /** Shown beside a passing case (an undecided verdict). */
  readonly note?: string;
}

function suite(name: string, cases: readonly Case[]): string {
  const failures = cases.filter((c) => c.failure !== undefined).length;
  const body = cases.map((c) => {
    const open = `    <testcase classname="${escapeXml(name)}" name="${escapeXml(c.name)}"`;
    if (c.failure !== undefined) return `${open}>\n      <failure type="gate" message="${escapeXml(c.failure)}"/>\n    </testcase>`;
    if (c.note !== undefined) return `${open}>\n      <system-out>${escapeXml(c.note)}</system-out>\n    </testcase>`;
    return `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="nodeport-sim" tests="${cases.length}" failures="${failures}">`,
    `  <testsuite name="${escapeXml(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

const where = (point: Judgement['point']): string => Object.entries(point).map(([p, x]) => ` at ${p}=${x}`).join(',');

/** `run`'s assertions: a case fails when the point's mean breaks the condition. */
export function runJunit(experiment: string, judgements: readonly Judgement[]): string {
  return suite(
    experiment,
    judgements.map((j) => {
      const stat = `mean ${num(j.mean)} ± ${num(j.ci95HalfWidth)} (95% CI, n=${j.n})`;
      const undecided = j.verdict === 'undecided' ? '; undecided: the 95% CI straddles the threshold' : '';
      const name = `assert[${j.index}] ${j.assertion}${where(j.point)}`;
      if (!j.meanHolds) return { name, failure: `${stat}${undecided}` };
      return undecided === '' ? { name } : { name, note: `${stat}${undecided}` };
    }),
  );
}

/** `capacity`'s SLO terms at the rate found (or at the lowest rate tried, all failing, when none meets). */
export function capacityJunit(experiment: string, result: CapacityResult): string {
  const at: Probe = result.kind === 'below-min' ? result.probes.reduce((a, b) => (b.rate < a.rate ? b : a)) : result.best;
  return suite(
    `${experiment} capacity`,
    at.terms.map((t) => {
      const name = `${t.slo} at ${num(at.rate)} requests/s`;
      const stat = `mean ${num(t.mean)} ± ${num(t.ci95HalfWidth)} (95% CI, n=${t.n}), ${t.verdict}`;
      // A term fails where its interval is wholly on the wrong side, or undecided where the probe missed.
      const failed = t.verdict === 'fail' || (t.verdict === 'undecided' && !at.meets);
      if (failed) return { name, failure: result.kind === 'below-min' ? `no rate tried meets it: ${stat}` : stat };
      return t.verdict === 'undecided' ? { name, note: stat } : { name };
    }),
  );
}
