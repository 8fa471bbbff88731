// `npm run bench`: performance figures as whole-process numbers. Not a test: it prints, and the
// figures go into notes and the README, never into assertions.

import { MMC_FARM, runMmcFarm } from './mmc-farm.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function benchEngine(): void {
  const t0 = process.hrtime.bigint();
  const r = runMmcFarm(MMC_FARM);
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  const error = (100 * (r.meanLatencyMs - r.analyticLatencyMs)) / r.analyticLatencyMs;
  log('engine · mmc-farm (10,000 Poisson clients, 30 pods × M/M/4, 2 ms service, 70% load, 0.2 ms network each way)');
  log(`  requests          ${r.requests.toLocaleString('en-US')} in ${wallS.toFixed(2)} s wall`);
  log(`  requests/s        ${(r.requests / wallS / 1e6).toFixed(3)} M   (target >= 1.5 M)`);
  log(`  events/s          ${(r.events / wallS / 1e6).toFixed(2)} M`);
  log(`  peak RSS          ${peakMiB.toFixed(0)} MiB`);
  log(`  mean latency      ${r.meanLatencyMs.toFixed(4)} ms vs Erlang C ${r.analyticLatencyMs.toFixed(4)} ms (${error >= 0 ? '+' : ''}${error.toFixed(3)}%)`);
}

const only = process.argv[2];
if (only === undefined || only === 'engine') benchEngine();
