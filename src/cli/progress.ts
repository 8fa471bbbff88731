// Progress on stderr: a cli-progress bar (runs done, ETA) on a terminal, plain lines otherwise,
// nothing with --quiet. Wall-clock figures go here and never into result files.
// Work is measured in simulated seconds, runs in progress counting by the share of theirs done,
// so one long run shows its progress and the ETA follows simulated time, not runs finished.
// The bar never hides the cursor nor turns off line wrapping: runs block the event loop, so a
// Ctrl-C arriving mid-run kills the process before any handler could turn them back on, and a
// terminal left without a cursor is worse than a bar that wraps on a narrow window.

import cliProgress from 'cli-progress';
import type { ExperimentResults } from '../experiment/results.js';
import type { PlannedRun } from '../experiment/plan.js';
import { type RunProgress, simulatedSeconds } from '../experiment/runner.js';
import { printable } from './terminal-text.js';

/** What progress needs of stderr; tests pass a fake. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(chunk: string): boolean;
}

export interface ProgressReporter {
  /** `total` runs of `workS` simulated seconds in all. */
  start(total: number, workS: number): void;
  /** A run in progress has done `fraction` of its simulated time. */
  runProgress(run: PlannedRun, fraction: number): void;
  runDone(p: RunProgress): void;
  /** Removes the bar, so that later lines start on a clean line. */
  stop(): void;
  finished(results: ExperimentResults, wallS: number, outDir: string, files: readonly string[]): void;
}

const p99 = (p: RunProgress) => (Number.isFinite(p.metrics.latency_p99_ms) ? p.metrics.latency_p99_ms.toFixed(3) : '–');

/** A bar counting simulated milliseconds of `workS`, with runs done out of `total`. */
function startBar(stream: ProgressStream, workS: number, total: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: 'runs {bar} {percentage}% | {runs}/{runsTotal} | ETA {eta_formatted} | last p99 {p99} ms',
      hideCursor: false,
      linewrap: true,
      clearOnComplete: true,
      // The runs block the event loop, so redraw on each update rather than on a timer.
      synchronousUpdate: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, Math.round(workS * 1000)), 0, { p99: '–', runs: 0, runsTotal: total });
  return bar;
}

export function progressReporter(quiet: boolean, stream: ProgressStream = process.stderr): ProgressReporter {
  const tty = stream.isTTY === true;
  const t0 = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
  let bar: cliProgress.SingleBar | null = null;
  let runs = 0;
  let workS = 0;
  let doneS = 0;
  /** Runs under way, by run number: their length in simulated seconds and the share done. */
  const inProgress = new Map<number, { readonly lengthS: number; readonly fraction: number }>();
  let printedTenths = 0;
  const workDoneS = () => {
    let s = doneS;
    for (const r of inProgress.values()) s += r.fraction * r.lengthS;
    return s;
  };
  const eta = () => {
    const done = workDoneS();
    return done > 0 ? (elapsed() * Math.max(0, workS - done)) / done : Number.NaN;
  };
  let finished = 0;
  return {
    start(total: number, totalWorkS: number): void {
      runs = total;
      workS = totalWorkS;
      if (quiet || !tty) return;
      bar = startBar(stream, workS, total);
    },
    runProgress(run: PlannedRun, fraction: number): void {
      if (quiet) return;
      inProgress.set(run.run, { lengthS: simulatedSeconds(run), fraction });
      if (bar) {
        bar.update(Math.round(workDoneS() * 1000));
        return;
      }
      if (tty || workS <= 0) return;
      // Without a terminal, a line each time another tenth of the work is done inside runs.
      const tenths = Math.floor((10 * workDoneS()) / workS);
      if (tenths <= printedTenths) return;
      printedTenths = tenths;
      stream.write(`run ${finished}/${runs}  ${10 * tenths}% of simulated time  eta ${eta().toFixed(1)} s\n`);
    },
    runDone(p: RunProgress): void {
      if (quiet) return;
      inProgress.delete(p.run.run);
      doneS += simulatedSeconds(p.run);
      finished = p.done;
      if (bar) {
        bar.update(Math.round(workDoneS() * 1000), { p99: p99(p), runs: p.done });
        return;
      }
      if (tty) return;
      printedTenths = workS > 0 ? Math.floor((10 * workDoneS()) / workS) : 0;
      stream.write(`run ${p.done}/${p.total}  ok=${p.metrics.ok}  p99=${p99(p)} ms  eta ${eta().toFixed(1)} s\n`);
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
