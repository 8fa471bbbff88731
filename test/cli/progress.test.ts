import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../src/cli/progress.js';
import type { PlannedRun } from '../../src/experiment/plan.js';
import type { RunProgress } from '../../src/experiment/runner.js';

const fakeStream = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { isTTY, columns: 100, chunks, write: (c: string) => (chunks.push(c), true) };
};
// Runs of 10 simulated seconds each.
const planned = (run: number) => ({ run, point: { experiment: { warmupS: 1, durationS: 9 } } }) as unknown as PlannedRun;
const progress = (done: number, total: number) => ({ done, total, run: planned(done - 1), metrics: { ok: 10, latency_p99_ms: 1.5 } }) as unknown as RunProgress;

function drive(stream: ReturnType<typeof fakeStream>, quiet = false): string {
  const p = progressReporter(quiet, stream);
  p.start(3, 30);
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
    p.start(3, 30);
    p.runDone(progress(1, 3));
    // Interrupted here: no stop().
    const out = stream.chunks.join('');
    expect(out).toMatch(/runs .* 0\/3/);
    expect(out).not.toContain('\u001b[?25l');
    expect(out).not.toContain('\u001b[?7l');
  });

  it('shows the progress of one long run by simulated time, a line per tenth of the work, without a terminal', () => {
    const stream = fakeStream(false);
    const p = progressReporter(false, stream);
    p.start(1, 10);
    for (const fraction of [0.05, 0.12, 0.15, 0.37, 0.99]) p.runProgress(planned(0), fraction);
    p.runDone(progress(1, 1));
    const lines = stream.chunks.join('').trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/ {2}eta .*/, ''))).toEqual([
      'run 0/1  10% of simulated time',
      'run 0/1  30% of simulated time',
      'run 0/1  90% of simulated time',
      'run 1/1  ok=10  p99=1.500 ms',
    ]);
  });

  it('counts a run in progress by the share of its simulated time done: one 10 s run done and half of another is 75% of 20 s', () => {
    const stream = fakeStream(false);
    const p = progressReporter(false, stream);
    p.start(2, 20);
    p.runDone(progress(1, 2));
    p.runProgress(planned(1), 0.5);
    expect(stream.chunks.at(-1)).toMatch(/^run 1\/2 {2}70% of simulated time {2}eta/);
  });

  it('prints nothing with --quiet', () => {
    expect(drive(fakeStream(true), true)).toBe('');
    expect(drive(fakeStream(false), true)).toBe('');
  });
});
