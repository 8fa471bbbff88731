// Progress on stderr: a cli-progress bar (runs done, ETA) on a terminal, plain lines otherwise,
// nothing with --quiet. Wall-clock figures go here and never into result files.
// The bar never hides the cursor nor turns off line wrapping: runs block the event loop, so a
// Ctrl-C arriving mid-run kills the process before any handler could turn them back on, and a
// terminal left without a cursor is worse than a bar that wraps on a narrow window.

import cliProgress from 'cli-progress';
import type { ExperimentResults } from '../experiment/results.js';
import type { RunProgress } from '../experiment/runner.js';
import { printable } from './terminal-text.js';

/** What progress needs of stderr; tests pass a fake. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): boolean;
}

export interface ProgressReporter {
  start(total: number): void;
  runDone(p: RunProgress): void;
  /** Removes the bar, so that later lines start on a clean line. */
  stop(): void;
  finished(results: ExperimentResults, wallS: number, outDir: string, files: readonly string[]): void;
}

const p99 = (p: RunProgress) => (Number.isFinite(p.metrics.latency_p99_ms) ? p.metrics.latency_p99_ms.toFixed(3) : '–');

export function progressReporter(quiet: boolean, stream: ProgressStream = process.stderr): ProgressReporter {
  const tty = stream.isTTY === true;
  const t0 = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
  let bar: cliProgress.SingleBar | null = null;
  return {
    start(total: number): void {
      if (quiet || !tty) return;
      bar = new cliProgress.SingleBar(
        {
          stream: stream as NodeJS.WritableStream,
          format: 'runs {bar} {value}/{total} | ETA {eta_formatted} | last p99 {p99} ms',
          hideCursor: false,
          linewrap: true,
          clearOnComplete: true,
          // The runs block the event loop, so redraw on each update rather than on a timer.
          synchronousUpdate: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { p99: '–' });
    },
    runDone(p: RunProgress): void {
      if (quiet) return;
      if (bar) {
        bar.update(p.done, { p99: p99(p) });
        return;
      }
      if (tty) return;
      const eta = (elapsed() / p.done) * (p.total - p.done);
      stream.write(`run ${p.done}/${p.total}  ok=${p.metrics.ok}  p99=${p99(p)} ms  eta ${eta.toFixed(1)} s\n`);
    },
    stop(): void {
      bar?.stop();
      bar = null;
    },
    finished(results: ExperimentResults, wallS: number, outDir: string, files: readonly string[]): void {
      if (quiet) return;
      const events = results.runs.reduce((sum, r) => sum + (r.events as number), 0);
      const requests = results.runs.reduce((sum, r) => sum + (r.requests as number), 0);
      for (const note of results.notes) stream.write(printable(`note: ${note}\n`));
      stream.write(
        `${results.runs.length} runs, ${requests} measured requests, ${events} events in ${wallS.toFixed(2)} s wall (${(events / wallS / 1e6).toFixed(2)} M events/s)\n`,
      );
      stream.write(printable(`wrote ${outDir}/{${files.join(',')}}\n`));
    },
  };
}
