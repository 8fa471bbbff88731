// Progress on stderr: a live line on a terminal, plain lines otherwise, nothing with --quiet.
// Wall-clock figures go here and never into result files.

import type { ExperimentResults, RunProgress } from '../experiment/runner.js';

export function progressReporter(quiet: boolean) {
  const tty = process.stderr.isTTY === true;
  const t0 = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    runDone(p: RunProgress): void {
      if (quiet) return;
      const eta = (elapsed() / p.done) * (p.total - p.done);
      const line = `run ${p.done}/${p.total}  ok=${p.metrics.ok}  p99=${p.metrics.latency_p99_ms.toFixed(3)} ms  eta ${eta.toFixed(1)} s`;
      if (tty) process.stderr.write(`\r\x1b[2K${line}${p.done === p.total ? '\n' : ''}`);
      else process.stderr.write(`${line}\n`);
    },
    finished(results: ExperimentResults, wallS: number, outDir: string, files: readonly string[]): void {
      if (quiet) return;
      const events = results.runs.reduce((sum, r) => sum + (r.events as number), 0);
      const requests = results.runs.reduce((sum, r) => sum + (r.requests as number), 0);
      for (const note of results.notes) process.stderr.write(`note: ${note}\n`);
      process.stderr.write(
        `${results.runs.length} runs, ${requests} measured requests, ${events} events in ${wallS.toFixed(2)} s wall (${(events / wallS / 1e6).toFixed(2)} M events/s)\n`,
      );
      process.stderr.write(`wrote ${outDir}/{${files.join(',')}}\n`);
    },
  };
}
