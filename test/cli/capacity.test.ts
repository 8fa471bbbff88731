import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatCapacity } from '../../src/cli/commands/capacity.js';

const probe = (rate: number, mean: number, meets: boolean) => ({ rate, mean, ci95HalfWidth: 0.25, n: 5, meets });

describe('capacity command', () => {
  it('prints the rate with the metric and its CI there, and the next rate that misses', () => {
    const out = formatCapacity({ kind: 'found', best: probe(1406.25, 1.993, true), next: probe(1414.06, 2.015, false), probes: [] }, 'latency_mean_ms<2', 'latency_mean_ms');
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe(
      'capacity: 1406.3 requests/s meets latency_mean_ms<2 (latency_mean_ms = 1.993 ± 0.25 (95% CI), n=5)\n' +
        '  1414.1 requests/s does not (latency_mean_ms = 2.015 ± 0.25 (95% CI), n=5)\n',
    );
  });

  it('exits 1 when even the lowest rate misses the SLO', () => {
    expect(formatCapacity({ kind: 'below-min', probes: [probe(100, 30, false), probe(50, 25, false)] }, 'x<1', 'x').exitCode).toBe(1);
  });

  it('exits 2 on an SLO that names no metric', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'capacity', 'experiments/default.yaml', '--slo', 'p99<20'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--slo: got "p99<20", expected a metric column of runs\.csv/);
  });
});
