// Inputs that used to hang, exhaust memory or reach the terminal raw: each is refused at once
// with exit 2, the key or flag to change, and no stack trace (built CLI: npm run build).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = resolve('dist/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-bounded-'));
const file = join(dir, 'e.yaml');
const text = `name: bounded\ndurationS: 0.3\nwarmupS: 0.1\ncluster: {nodes: 2, manifests: [${resolve('experiments/manifests/nginx.yaml')}]}\ntraffic: {ratePerS: 1000}\n`;
writeFileSync(file, text);
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const out = join(dir, 'out');
const cli = (args: string[], input?: string) => spawnSync('node', [CLI, ...args], { encoding: 'utf8', timeout: 60_000, ...(input === undefined ? {} : { input }) });

describe('bounded runs and inputs', () => {
  it.each([
    ['durationS: 1e308', ['run', file, '--set', 'durationS=1e308'], /durationS: the run would simulate about unbounded \(infinite\) events.*raise --max-events/],
    ['ratePerS: 1e308', ['run', file, '--set', 'traffic.ratePerS=1e308'], /traffic\.ratePerS: the run would simulate about unbounded \(infinite\) events/],
    ['timeseriesBucketS: 1e-9', ['run', file, '--set', 'timeseriesBucketS=1e-9'], /timeseriesBucketS: the runs would need about [\d.e]+ GiB of memory.*raise --max-memory/],
    ['a million Services × 1,000 endpoints', ['run', file, '--set', 'cluster.backgroundServices=1000000', '--set', 'cluster.backgroundEndpointsPerService=1000'], /cluster\.backgroundServices: the runs would need about [\d.e]+ GiB/],
    // The planner gives each node's new pods the free hosts of its /24: 253 at most.
    ['a scale event beyond the pod range', ['run', file, '--set', 'cluster.nodes=1', '--set', 'events=[{atS: 0.1, action: scale, deployment: nginx-deployment, replicas: 400}]'], /events\[0\]: no free pod IP left in 10\.244\.0\.0\/24/],
    ['a run over a lowered --max-events', ['run', file, '--max-events', '1000'], /over the limit of 1000; lower .*, or raise --max-events/],
    ['capacity --tolerance 1e-300', ['capacity', file, '--slo', 'latency_p99_ms<20', '--tolerance', '1e-300'], /--tolerance: got 1e-300, expected at least 1e-9/],
    ['capacity whose probes outgrow --max-events', ['capacity', file, '--slo', 'latency_p99_ms<1e9', '--slo', 'error_share<=1', '--max-events', '2e8', '-q'], /probe at [\d.e+]+ requests\/s, one of up to \d+\): traffic\.ratePerS: the (run|\d+ runs) would simulate/],
    ['an experiment that is /dev/zero', ['run', '/dev/zero'], /\/dev\/zero: is a character device, expected a regular file \(or - for stdin\)/],
    ['an experiment that is a FIFO', ['run', fifo], /fifo: is a FIFO \(named pipe\), expected a regular file/],
    ['a file over --max-input', ['run', file, '--max-input', '100'], /e\.yaml: is larger than the input limit of 100 bytes; raise it with --max-input/],
  ])('%s exits 2 at once, saying what to change', (_, args, message) => {
    const r = cli([...args, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('reads the experiment from stdin as -', () => {
    const r = cli(['run', '-', '-q', '--out', join(dir, 'stdin')], text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'stdin', 'runs.csv'))).toBe(true);
  });

  it('keeps escape sequences from the terminal and caps a flood of issues', () => {
    const sets = Array.from({ length: 30 }, (_, i) => ['--set', `\u001b]0;pwned\u0007nope${i}.x=1`]).flat();
    const r = cli(['run', file, ...sets, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(21);
    if (lines.length === 21) expect(lines[20]).toMatch(/^error: and \d+ more$/);
  });
});
