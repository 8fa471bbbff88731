import { describe, expect, it } from 'vitest';
import { MMC_FARM, mmcFarmAnalyticMs, runMmcFarm } from '../../src/bench/mmc-farm.js';
import { erlangC } from '../../src/engine/erlang.js';

describe('M/M/c stations on the engine', () => {
  it('computes Erlang C as the textbook values give it', () => {
    // M/M/1: P(wait) = rho. M/M/2 at a = 1: C = 1/3 (textbook example).
    expect(erlangC(1, 0.7)).toBeCloseTo(0.7, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
  });

  it('matches the Erlang C mean latency of 4-worker pods at 70% load within 1% over 2,000,000 requests', () => {
    const r = runMmcFarm({ ...MMC_FARM, clients: 2_000 });
    expect(r.requests).toBe(MMC_FARM.requests);
    expect(r.analyticLatencyMs).toBeCloseTo(3.1144, 4);
    expect(Math.abs(r.meanLatencyMs - r.analyticLatencyMs) / r.analyticLatencyMs).toBeLessThan(0.01);
  });

  it('matches the Erlang C mean wait itself within 2% (c = 4, 70% load, one pod, 4,000,000 requests)', () => {
    const cfg = { ...MMC_FARM, pods: 1, clients: 100, requests: 4_000_000, networkMs: 0 };
    const r = runMmcFarm(cfg);
    const waitSim = r.meanLatencyMs - cfg.serviceMeanMs;
    const waitTrue = mmcFarmAnalyticMs(cfg) - cfg.serviceMeanMs;
    expect(Math.abs(waitSim - waitTrue) / waitTrue).toBeLessThan(0.02);
  });
});
