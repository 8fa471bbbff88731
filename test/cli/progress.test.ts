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

  it('leaves cursor and line wrapping alone on a terminal, so a Ctrl-C mid-run has nothing to restore', () => {
    // Runs block the event loop, so no signal handler could undo these before the process dies:
    // DECTCEM hide (ESC[?25l) and DECAWM off (ESC[?7l) must never be sent.
    const stream = fakeStream(true);
    const p = progressReporter(false, stream);
    p.start(3);
    p.runDone(progress(1, 3));
    // Interrupted here: no stop().
    const out = stream.chunks.join('');
    expect(out).toMatch(/runs .* 0\/3/);
    expect(out).not.toContain('\u001b[?25l');
    expect(out).not.toContain('\u001b[?7l');
  });

  it('prints nothing with --quiet', () => {
    expect(drive(fakeStream(true), true)).toBe('');
    expect(drive(fakeStream(false), true)).toBe('');
  });
});
