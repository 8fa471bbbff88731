import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';
import type { RunProgress } from '../../src/experiment/runner.js';

const fakeStream = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { isTTY, columns: 100, chunks, write: (c: string) => (chunks.push(c), true) };
};
const progress = (done: number, total: number) => ({ done, total, metrics: { ok: 10, latency_p99_ms: 1.5 } }) as unknown as RunProgress;

function drive(stream: ReturnType<typeof fakeStream>, quiet = false): string {
  const p = progressReporter(quiet, stream);
  p.start(3);
  for (let i = 1; i <= 3; i++) p.runDone(progress(i, 3));
  p.stop();
  return stream.chunks.join('');
}

describe('progress', () => {
  it('prints one plain line per run when stderr is not a terminal', () => {
    const lines = drive(fakeStream(false)).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^run 3\/3 {2}ok=10 {2}p99=1\.500 ms {2}eta 0\.0 s$/);
  });

  it('draws a bar with runs done and an ETA on a terminal', () => {
    const out = drive(fakeStream(true));
    expect(out).toMatch(/runs .* 0\/3 \| ETA/);
    expect(out).not.toMatch(/^run \d/m);
  });

  it('prints nothing with --quiet', () => {
    expect(drive(fakeStream(true), true)).toBe('');
    expect(drive(fakeStream(false), true)).toBe('');
  });
});
