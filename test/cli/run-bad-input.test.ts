import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-bad-run-'));

describe('run on a corrupted experiment file', () => {
  it.each([
    ['an alias to no anchor', '*!', /e0\.yaml:1: .*alias/i],
    ['a list where a mapping belongs', 'name: x\ncluster: [1, 2]\n', /cluster: expected a mapping, got \[1,2\]/],
    ['a bad assertion and a bad sweep value', 'name: x\nsweep: {proxy.mode: [bpf]}\nassert: [p99 < 3]\n', /sweep\.proxy\.mode\[0\]: got "bpf"[\s\S]*assert\[0\]: got "p99 < 3"/],
  ])('exits 2 with a message and no stack trace for %s', (_, text, message) => {
    const file = join(dir, `e${_ === 'an alias to no anchor' ? 0 : text.length}.yaml`);
    writeFileSync(file, text);
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'run', file, '--out', join(dir, 'out')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on a --set value that is not YAML', () => {
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'run', 'experiments/default.yaml', '--set', 'traffic.ratePerS=[', '--out', join(dir, 'out')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--set: got "traffic\.ratePerS=\[", whose value is not YAML/);
  });
});
