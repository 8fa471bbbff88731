// The engine alone on the mmc-farm workload: Poisson clients, pods as M/M/c stations, a fixed
// network delay each way. Measures the engine, not the Kubernetes model.

import { Exponential } from '../engine/distributions.js';
import { mmcMeanWait } from '../engine/erlang.js';
import { RandomStreams } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import { Admission, Stations } from '../engine/station.js';
import { ms } from '../engine/time.js';

export interface MmcFarmConfig {
  readonly clients: number;
  readonly pods: number;
  readonly workersPerPod: number;
  readonly serviceMeanMs: number;
  readonly utilisation: number;
  readonly networkMs: number;
  readonly requests: number;
  readonly seed: number;
}

export const MMC_FARM: MmcFarmConfig = {
  clients: 10_000,
  pods: 30,
  workersPerPod: 4,
  serviceMeanMs: 2,
  utilisation: 0.7,
  networkMs: 0.2,
  requests: 2_000_000,
  seed: 1,
};

export interface MmcFarmResult {
  readonly requests: number;
  readonly events: number;
  readonly meanLatencyMs: number;
  readonly analyticLatencyMs: number;
}

/** Mean latency in ms: network both ways + Erlang C wait + service. */
export function mmcFarmAnalyticMs(cfg: MmcFarmConfig): number {
  const mu = 1000 / cfg.serviceMeanMs;
  const lambdaPerPod = cfg.utilisation * cfg.workersPerPod * mu;
  return 2 * cfg.networkMs + 1000 * mmcMeanWait(cfg.workersPerPod, lambdaPerPod, mu) + cfg.serviceMeanMs;
}

export function runMmcFarm(cfg: MmcFarmConfig): MmcFarmResult {
  const sim = new Simulator();
  const streams = new RandomStreams(cfg.seed, 0);
  const totalRate = (cfg.utilisation * cfg.workersPerPod * cfg.pods * 1000) / cfg.serviceMeanMs;
  const thinkNs = new Exponential(1e9 / (totalRate / cfg.clients), streams.stream('arrivals'));
  const serviceNs = new Exponential(ms(cfg.serviceMeanMs), streams.stream('service'));
  const pick = streams.stream('routing');
  const netNs = ms(cfg.networkMs);
  const pods = new Stations(new Array(cfg.pods).fill(cfg.workersPerPod), new Array(cfg.pods).fill(Infinity));

  let cap = 1024;
  let startedAt = new Float64Array(cap);
  let podOf = new Int32Array(cap);
  let free = new Int32Array(cap);
  let freeCount = 0;
  let nextId = 0;
  let generated = 0;
  let completed = 0;
  let latencySum = 0;
  const alloc = (): number => {
    if (freeCount > 0) return free[--freeCount];
    if (nextId === cap) {
      cap *= 2;
      const s = new Float64Array(cap);
      s.set(startedAt);
      startedAt = s;
      const p = new Int32Array(cap);
      p.set(podOf);
      podOf = p;
      const f = new Int32Array(cap);
      f.set(free);
      free = f;
    }
    return nextId++;
  };

  const startService = (req: number): void => {
    sim.schedule(Math.round(serviceNs.sample()), FINISH, req);
  };
  const SEND = sim.register('send', (client) => {
    if (generated >= cfg.requests) return;
    generated++;
    const req = alloc();
    startedAt[req] = sim.now;
    podOf[req] = Math.floor(pick() * cfg.pods);
    sim.schedule(netNs, ARRIVE, req);
    sim.schedule(Math.round(thinkNs.sample()), SEND, client);
  });
  const ARRIVE = sim.register('arrive', (req) => {
    if (pods.arrive(podOf[req], req) === Admission.Started) startService(req);
  });
  const FINISH = sim.register('finish', (req) => {
    const next = pods.depart(podOf[req]);
    if (next >= 0) startService(next);
    sim.schedule(netNs, DELIVER, req);
  });
  const DELIVER = sim.register('deliver', (req) => {
    completed++;
    latencySum += sim.now - startedAt[req];
    free[freeCount++] = req;
  });

  for (let c = 0; c < cfg.clients; c++) sim.schedule(Math.round(thinkNs.sample()), SEND, c);
  sim.run();
  return {
    requests: completed,
    events: sim.eventsProcessed,
    meanLatencyMs: latencySum / completed / 1e6,
    analyticLatencyMs: mmcFarmAnalyticMs(cfg),
  };
}
