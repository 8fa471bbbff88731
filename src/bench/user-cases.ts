// The figures a user meets, each measured as whole processes: the whole run against a bare
// event loop, how soon commands answer, sweeps over every core, and memory of long runs.

import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPlainCsv, scratchDir, writeScratchFile } from '../io/bench-files.js';
import { alternately, timeProcess } from './whole-process.js';
import { MMC_FARM, runMmcFarm } from './mmc-farm.js';
import { benchWholeSim } from './whole-sim.js';

type Log = (line: string) => void;
const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const FARM = 'experiments/bench-mmc-farm.yaml';
/** mmc-farm's analytic mean: 0.2 ms each way + Erlang C wait for M/M/4 at 70% (0.7144 ms) + 2 ms. */
const FARM_ANALYTIC_MS = 3.1144;
const ROUNDS = 5;
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/**
 * The whole `run` of the farm (start-up, build, simulation, CSV, charts, report) against a bare
 * hand-written event loop doing the same M/M/4 farm, given as a script that prints
 * `requests=N` (`--baseline FILE` or NODEPORT_SIM_BASELINE).
 */
export function benchRatio(log: Log, baseline: string | undefined): void {
  const dir = scratchDir();
  // Not quiet: its last line gives the simulation's own wall time, so the rest can be told apart.
  const sim = [CLI, 'run', FARM, '--jobs', '1', '-o', join(dir, 'farm')];
  const [run, base] = alternately(baseline === undefined ? [sim] : [sim, [resolve(baseline)]], ROUNDS);
  const row = readPlainCsv(join(dir, 'farm', 'runs.csv'))[0];
  const requests = Number(row.requests);
  const error = (100 * (Number(row.latency_mean_ms) - FARM_ANALYTIC_MS)) / FARM_ANALYTIC_MS;
  log(`whole run · node dist/cli/main.js run ${FARM} (start-up, build, simulation, CSV, charts, report), fastest of ${ROUNDS}`);
  log(`  ${requests.toLocaleString('en-US')} requests in ${run.wallS.toFixed(2)} s: ${(requests / run.wallS / 1e6).toFixed(3)} M requests per wall second`);
  log(`  mean latency ${Number(row.latency_mean_ms).toFixed(4)} ms vs analytic ${FARM_ANALYTIC_MS} ms (${signed(error, 3)}%; target within 1%)`);
  if (base === undefined) {
    log('  baseline: none given (--baseline FILE or NODEPORT_SIM_BASELINE=FILE), so no ratio');
    return;
  }
  const baseRequests = Number(/requests=(\d+)/.exec(base.stdout)?.[1]);
  if (!Number.isFinite(baseRequests)) throw new Error(`bench: the baseline printed no requests=N: ${base.stdout}`);
  const ratio = requests / run.wallS / (baseRequests / base.wallS);
  log(`  baseline ${baseline}: ${baseRequests.toLocaleString('en-US')} requests in ${base.wallS.toFixed(2)} s (whole process, fastest of ${ROUNDS}, run alternately)`);
  log(`  ratio ${ratio.toFixed(3)} of the baseline's requests per wall second (target >= 0.6)`);
  // Where the time goes, against what the target leaves: the simulation's own wall time (from
  // the run's last line), the rest of the process, and the engine alone on the same load with
  // bare handlers (the `engine` case), the floor under any simulation of these events.
  const simS = Number(/events in ([\d.]+) s wall/.exec(run.stderr)?.[1]);
  const t0 = process.hrtime.bigint();
  const engine = runMmcFarm(MMC_FARM);
  const engineS = ((Number(process.hrtime.bigint() - t0) / 1e9) * requests) / engine.requests;
  const budgetS = requests / (0.6 * (baseRequests / base.wallS));
  log(`  the target leaves ${budgetS.toFixed(2)} s for the whole run; this one: simulation ${simS.toFixed(2)} s, the rest ${(run.wallS - simS).toFixed(2)} s; the engine alone with bare handlers ${engineS.toFixed(2)} s for as many requests`);
}

/** How long each command takes beyond starting Node itself (`node -e 0`), fastest of five, alternately. */
export function benchStartup(log: Log): void {
  const dir = scratchDir();
  const manifests = resolve('experiments/manifests/nginx.yaml');
  const tiny = writeScratchFile(dir, 'tiny.yaml', `name: tiny\nseed: 1\ndurationS: 0.001\nwarmupS: 0\ncluster:\n  manifests: [${manifests}]\n`);
  const commands: [string, string[], number][] = [
    ['--version', ['--version'], 150],
    ['get svc', ['get', 'svc', '-f', manifests], 150],
    ['describe svc', ['describe', 'svc', 'nginx-nodeport', '-f', manifests], 150],
    ['diagnose', ['diagnose', '-f', manifests], 150],
    ['rules', ['rules', '-f', manifests, '--node', 'minikube'], 150],
    ['run (1 ms, --no-charts)', ['run', tiny, '-q', '--no-charts', '-o', join(dir, 'tiny')], 400],
  ];
  const timings = alternately([['-e', '0'], ...commands.map(([, args]) => [CLI, ...args])], ROUNDS);
  const bare = timings[0].wallS;
  log(`commands · wall time beyond node -e 0 (${(bare * 1000).toFixed(0)} ms here), fastest of ${ROUNDS}, alternately`);
  commands.forEach(([name, , targetMs], i) => {
    log(`  ${name.padEnd(24)} +${((timings[i + 1].wallS - bare) * 1000).toFixed(0).padStart(4)} ms (target <= ${targetMs})`);
  });
}

/** A sweep of 18 runs of 60 simulated seconds with one child process against one per core. */
export function benchJobs(log: Log): void {
  const dir = scratchDir();
  const cores = availableParallelism();
  const sweep = 'experiments/q1-local-imbalance.yaml';
  const [one, all] = alternately(
    [
      [CLI, 'run', sweep, '-q', '--no-charts', '--set', 'durationS=60', '--jobs', '1', '-o', join(dir, 'one')],
      [CLI, 'run', sweep, '-q', '--no-charts', '--set', 'durationS=60', '--jobs', String(cores), '-o', join(dir, 'all')],
    ],
    2,
  );
  log(`sweeps · ${sweep} --set durationS=60 (18 runs), --jobs 1 vs --jobs ${cores} (the cores), fastest of 2`);
  log(`  ${one.wallS.toFixed(2)} s vs ${all.wallS.toFixed(2)} s: ${(one.wallS / all.wallS).toFixed(2)}× (at most ${cores}×; the files are the same byte for byte, see test/cli/run-jobs.test.ts)`);
}

/** Peak memory of a 10-minute and a 60-minute farm run, each in its own process. */
export function benchLong(log: Log, ratePerS: number): void {
  const self = fileURLToPath(new URL('./main.js', import.meta.url));
  const peak = (minutes: number) => {
    const t = timeProcess([self, 'hold', String(minutes * 60), String(ratePerS)]);
    return JSON.parse(t.stdout) as { peakMiB: number; requests: number; wallS: number };
  };
  const short = peak(10);
  const long = peak(60);
  log(`long runs · the farm at ${ratePerS.toLocaleString('en-US')} requests/s for 10 and 60 simulated minutes, each in its own process`);
  log(`  10 min: ${(short.requests / 1e6).toFixed(1)} M requests in ${short.wallS.toFixed(0)} s, peak RSS ${short.peakMiB.toFixed(0)} MiB`);
  log(`  60 min: ${(long.requests / 1e6).toFixed(1)} M requests in ${long.wallS.toFixed(0)} s, peak RSS ${long.peakMiB.toFixed(0)} MiB (${signed((100 * (long.peakMiB - short.peakMiB)) / short.peakMiB, 1)}%; target within 10%)`);
}

/** One farm run of `durationS` at `ratePerS`, in this process; prints its figures as JSON. */
export function holdRun(durationS: number, ratePerS: number): string {
  const f = benchWholeSim(FARM, [`durationS=${durationS}`, `traffic.ratePerS=${ratePerS}`]);
  return JSON.stringify({ peakMiB: process.resourceUsage().maxRSS / 1024, requests: f.requests, wallS: f.wallS });
}
