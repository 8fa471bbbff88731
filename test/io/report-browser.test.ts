// Opens a real report.html in headless Chromium, when the machine has it (.ci/run installs it).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatCapacity } from '../../src/cli/commands/capacity.js';
import { experimentProbe, searchCapacity, sloTerms } from '../../src/experiment/capacity.js';
import { capacityResults } from '../../src/experiment/capacity-results.js';
import type { ExperimentResults } from '../../src/experiment/results.js';
import { runExperiment } from '../../src/experiment/runner.js';
import { validateExperiment } from '../../src/experiment/schema.js';
import { readManifestFiles } from '../../src/io/read-manifests.js';
import { writeResults } from '../../src/io/write-results.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`report-browser: ${CHROMIUM} not found, so report.html is not opened in a browser (apt-get install chromium)`);

const dumpDom = (out: string): string =>
  execFileSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', `--user-data-dir=${join(out, 'profile')}`, '--dump-dom', pathToFileURL(join(out, 'report.html')).href],
    { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );

describe('report.html in a browser', () => {
  it.skipIf(!hasChromium)(`shows the outcome table and every chart's SVG (headless ${CHROMIUM}${hasChromium ? '' : ': skipped, not installed'})`, async () => {
    const { experiment } = validateExperiment({
      name: 'browser',
      replications: 2,
      durationS: 0.5,
      warmupS: 0.1,
      cluster: { nodes: 3, manifests: ['m.yaml'], placement: [1, 2, 0] },
      traffic: { ratePerS: 1000 },
      sweep: { 'service.externalTrafficPolicy': ['Cluster', 'Local'] },
    });
    if (!experiment) throw new Error('invalid test experiment');
    const out = mkdtempSync(join(tmpdir(), 'nodeport-sim-browser-'));
    const written = await writeResults(out, experiment, runExperiment(experiment, readManifestFiles(['experiments/manifests/nginx.yaml'])), { pid: process.pid, isAlive: () => true });
    const charts = written.filter((p) => p.endsWith('.svg')).map((p) => p.slice('charts/'.length, -'.svg'.length));
    expect(charts.length).toBeGreaterThanOrEqual(4);

    const dom = dumpDom(out);
    for (const name of charts) {
      // The browser's own parse: each figure holds an svg element with vega's marks inside.
      const figure = new RegExp(`<figure id="chart-${name}">[\\s\\S]*?<svg [^>]*class="marks"[\\s\\S]*?</svg>\\s*</figure>`);
      expect(dom, name).toMatch(figure);
    }
    expect(dom.match(/<svg /g)?.length).toBe(charts.length);
    expect(dom).toContain('<details>');
    // Failures first: the outcome chart and time line are there, and the table has ok_share and
    // the drops Local makes on node-3 (no pod there), as read back from the browser's DOM.
    expect(charts).toEqual(expect.arrayContaining(['outcomes', 'timeline']));
    const table = /<table>[\s\S]*?<\/table>/.exec(dom)?.[0] ?? '';
    expect(table).toContain('<th scope="col" class="ok">ok_share</th>');
    expect(table).toContain('<th scope="col" class="fail">dropped_no_local_endpoint</th>');
    expect(table.match(/<tr><th scope="row">/g)?.length).toBe(2);

    // A screenshot of the page as printed to the screen: present, of the window's size (pixels are not compared).
    const shot = join(out, 'report.png');
    execFileSync(
      CHROMIUM,
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars', '--disable-background-networking', `--user-data-dir=${join(out, 'profile')}`, '--window-size=1280,4000', `--screenshot=${shot}`, pathToFileURL(join(out, 'report.html')).href],
      { timeout: 60_000, stdio: ['ignore', 'ignore', 'ignore'] },
    );
    const png = readFileSync(shot);
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1280, 4000]);
    expect(png.length).toBeGreaterThan(50_000);
  });

  it.skipIf(!hasChromium)("shows a capacity search's probes table and its p99-against-rate chart with the capacity found marked", async () => {
    const { experiment } = validateExperiment({
      name: 'browser-capacity',
      replications: 2,
      durationS: 0.5,
      warmupS: 0.2,
      cluster: { nodes: 3, manifests: ['m.yaml'], placement: 'spread' },
      traffic: { clients: 5000, ratePerS: 4000, requestsPerConnection: 1, ingress: 'round-robin' },
    });
    if (!experiment) throw new Error('invalid test experiment');
    const terms = sloTerms(['latency_p99_ms<20']);
    if ('expected' in terms) throw new Error(terms.expected);
    const judged = new Map<number, ExperimentResults>();
    const probe = experimentProbe(experiment, readManifestFiles(['experiments/manifests/nginx.yaml']), terms.slos, { maxReplications: 2, onResults: (rate, r) => judged.set(rate, r) });
    const result = searchCapacity(probe, { start: experiment.traffic.ratePerS, tolerance: 0.2 });
    if (result.kind !== 'found') throw new Error(`expected a capacity, got ${result.kind}`);
    const out = mkdtempSync(join(tmpdir(), 'nodeport-sim-browser-capacity-'));
    const capacity = { slos: terms.slos, defaultAdded: terms.defaultAdded, result, answer: formatCapacity(result, 'latency_p99_ms<20').text };
    await writeResults(out, experiment, capacityResults(judged), { pid: process.pid, isAlive: () => true }, { capacity });

    const dom = dumpDom(out);
    const figure = /<figure id="chart-p99-by-rate">[\s\S]*?<\/figure>/.exec(dom)?.[0] ?? '';
    expect(figure).toMatch(/<svg [^>]*class="marks"/);
    // The vertical rule's label, as the browser holds the SVG's text, names the rate the search found.
    expect(figure).toContain(`capacity ${result.best.rate.toLocaleString('en-US')} requests/s`);
    expect(figure).toContain('SLO p99 &lt; 20 ms');
    const rows = /<table class="probes">[\s\S]*?<\/table>/.exec(dom)?.[0].match(/<tr><th scope="row">\d+<\/th><td>([\d.]+)<\/td>/g) ?? [];
    expect(rows.map((row) => Number(/<td>([\d.]+)<\/td>/.exec(row)?.[1]))).toEqual(result.probes.map((p) => p.rate));
  });
});
