// merge trusts nothing in shard.json: a changed payload, another tool version or a stored
// experiment that run would refuse all exit 2; values that do get through are escaped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeShard, encodeShard, type ShardData } from '../../src/experiment/shard.js';

const CLI = resolve('dist/cli/main.js');
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-tamper-'));
const file = join(dir, 'e.yaml');
writeFileSync(file, `name: tamper\nreplications: 2\ndurationS: 0.3\nwarmupS: 0.1\ncluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}]}\ntraffic: {ratePerS: 1000}\n`);
const cli = (args: string[]) => spawnSync('node', [CLI, ...args], { encoding: 'utf8' });
expect(cli(['run', file, '-q', '--shard', '0/2', '--out', join(dir, 's0')]).status).toBe(0);
expect(cli(['run', file, '-q', '--shard', '1/2', '--out', join(dir, 's1')]).status).toBe(0);
const original = readFileSync(join(dir, 's1', 'shard.json'), 'utf8');
const data = decodeShard(original) as ShardData;

/** A copy of shard 1 whose shard.json is `text`; returns merge's result. */
function mergeWith(text: string) {
  const s1 = mkdtempSync(join(dir, 's1-'));
  writeFileSync(join(s1, 'experiment.resolved.json'), '{}\n');
  writeFileSync(join(s1, 'shard.json'), text);
  return cli(['merge', join(dir, 's0'), s1, '-q', '--out', join(dir, `merged-${readdirSync(dir).length}`)]);
}

describe('merge of a tampered shard', () => {
  it('merges the untouched shards', () => {
    expect(mergeWith(original).status).toBe(0);
  });

  it('refuses a payload changed after it was written (hash mismatch)', () => {
    const r = mergeWith(original.replace(/"ok": \d+/, '"ok": 1'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard\.json: sha256: does not match the shard's contents/);
  });

  it('refuses a shard of another tool version', () => {
    const r = mergeWith(encodeShard(data, '0.0.0-other'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`toolVersion: the shard was written by nodeport-sim "0\\.0\\.0-other", this is ${version.replace(/\./g, '\\.')}`));
  });

  it('validates the stored experiment exactly as run does', () => {
    const bad = { ...data, experiment: { ...data.experiment, durationS: -1 } } as ShardData;
    const r = mergeWith(encodeShard(bad, version));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard\.json: experiment\.durationS: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses rows that are not rows of strings and numbers', () => {
    const bad = { ...data, results: { ...data.results, pods: [{ run: 1, pod: { html: '<b>' } }] } } as unknown as ShardData;
    const r = mergeWith(encodeShard(bad, version));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/shard\.json: results: expected the column lists/);
  });

  it('escapes markup that comes through a consistent shard into report.html and the SVGs', () => {
    const markup = '<img src=x onerror=alert(1)>';
    const withMarkup = (d: ShardData): ShardData => ({
      ...d,
      experiment: { ...d.experiment, title: `${markup}<script>alert(2)</script>`, description: markup },
      results: { ...d.results, pods: d.results.pods.map((p) => ({ ...p, pod: `${markup}${p.pod}` })) },
    });
    const s0 = mkdtempSync(join(dir, 's0-'));
    writeFileSync(join(s0, 'shard.json'), encodeShard(withMarkup(decodeShard(readFileSync(join(dir, 's0', 'shard.json'), 'utf8')) as ShardData), version));
    const s1 = mkdtempSync(join(dir, 's1-'));
    writeFileSync(join(s1, 'shard.json'), encodeShard(withMarkup(data), version));
    const out = join(dir, 'merged-markup');
    const r = cli(['merge', s0, s1, '-q', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const charts = readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.svg'));
    for (const page of [html, ...charts.map((f) => readFileSync(join(out, 'charts', f), 'utf8'))]) {
      expect(page).not.toMatch(/<img|<script/i);
    }
    // The pod names reached a chart, escaped.
    expect(charts.some((f) => readFileSync(join(out, 'charts', f), 'utf8').includes('&lt;img'))).toBe(true);
    expect(statSync(join(out, 'pods.csv')).isFile()).toBe(true);
  });
});
