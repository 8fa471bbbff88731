import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeShard } from '../../src/experiment/shard.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-shard-verdicts-'));
const file = join(dir, 'e.yaml');
// Cluster sends some requests on to the other node, Local none: only the Cluster point breaks
// assert[0]; assert[1] holds everywhere.
writeFileSync(
  file,
  [
    'name: shard-verdicts',
    'replications: 3',
    'durationS: 0.5',
    'warmupS: 0.1',
    `cluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}]}`,
    'traffic: {ratePerS: 1000}',
    'sweep: {service.externalTrafficPolicy: [Cluster, Local]}',
    "assert: ['cross_node_share == 0', 'latency_mean_ms < 1000']",
  ].join('\n'),
);
const cli = (...args: string[]) => spawnSync('node', ['dist/cli/main.js', ...args], { encoding: 'utf8' });
const at = (name: string) => join(dir, name);

interface Verdicts {
  shard?: { index: number; count: number; runs: number; total_runs: number };
  out_dir: string;
  passed: boolean;
  assertions: { assertion: string; point: Record<string, string>; mean: number; mean_holds: boolean; n: number }[];
  points: { params: Record<string, string>; metrics: Record<string, { mean: number; n: number }> }[];
}

describe('--json and --junit with --shard, and merge', () => {
  const whole = cli('run', file, '--quiet', '--out', at('whole'), '--json', '--junit', at('whole.xml'));
  const shards = [0, 1].map((i) => cli('run', file, '--quiet', '--shard', `${i}/2`, '--out', at(`s${i}`), '--json', '--junit', at(`s${i}.xml`)));
  const merge = cli('merge', at('s0'), at('s1'), '--quiet', '--out', at('merged'), '--json', '--junit', at('merged.xml'));

  it("prints each shard's own JSON, judged on the runs it holds, and exits 0 whatever its gates say", () => {
    for (const [i, r] of shards.entries()) {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const json = JSON.parse(r.stdout) as Verdicts;
      // 2 points × 3 replications = 6 runs; shard i holds those with run % 2 == i.
      const { results } = decodeShard(readFileSync(at(`s${i}/shard.json`), 'utf8')) as { results: { runs: Record<string, number | string>[] } };
      expect(results.runs.map((row) => row.run)).toEqual(i === 0 ? [0, 2, 4] : [1, 3, 5]);
      expect(json.shard).toEqual({ index: i, count: 2, runs: 3, total_runs: 6 });
      expect(json.out_dir).toBe(at(`s${i}`));
      // Each point's figures are those of the shard's own rows, not the whole's.
      for (const point of json.points) {
        const rows = results.runs.filter((row) => row['service.externalTrafficPolicy'] === point.params['service.externalTrafficPolicy']);
        const share = point.metrics.cross_node_share;
        expect(share.n).toBe(rows.length);
        expect(share.mean).toBeCloseTo(rows.reduce((s, row) => s + (row.cross_node_share as number), 0) / rows.length, 12);
      }
      const cluster = json.assertions.find((a) => a.assertion === 'cross_node_share == 0' && a.point['service.externalTrafficPolicy'] === 'Cluster');
      expect(cluster?.mean_holds).toBe(false);
      expect(json.passed).toBe(false);
      const xml = readFileSync(at(`s${i}.xml`), 'utf8');
      expect(xml).toContain(`<testsuite name="shard-verdicts shard ${i}/2" tests="4" failures="1"`);
      expect(xml).toMatch(/<testcase classname="shard-verdicts shard \d\/2" name="assert\[0\] cross_node_share == 0 at service\.externalTrafficPolicy=Cluster">\n\s+<failure /);
    }
  });

  it('gives from merge the verdict over the whole: the JSON and JUnit of one unsharded run, exit 1 on its violation', () => {
    expect(whole.status).toBe(1);
    expect(merge.status).toBe(1);
    expect(merge.stderr).toBe(whole.stderr);
    expect(merge.stderr).toMatch(/^assert\[0\] cross_node_share == 0 fails at service\.externalTrafficPolicy=Cluster/);
    const merged = JSON.parse(merge.stdout) as Verdicts;
    const one = JSON.parse(whole.stdout) as Verdicts;
    expect(merged.out_dir).toBe(at('merged'));
    expect(merged.shard).toBeUndefined();
    expect({ ...merged, out_dir: '' }).toEqual({ ...one, out_dir: '' });
    expect(merged.points.map((p) => p.metrics.cross_node_share.n)).toEqual([3, 3]);
    expect(readFileSync(at('merged.xml'), 'utf8')).toBe(readFileSync(at('whole.xml'), 'utf8'));
  });
});
