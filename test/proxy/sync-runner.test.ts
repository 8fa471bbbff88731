// The sync runner against kube-proxy's own: pkg/util/async/bounded_frequency_runner_test.go
// Test_BoundedFrequencyRunnerBurst replayed step by step, and a node's kube-proxy in a run.

import { describe, expect, it } from 'vitest';
import { buildServicePorts } from '../../src/proxy/service-map.js';
import { NodeProxies } from '../../src/proxy/node-proxies.js';
import { SyncRunners } from '../../src/proxy/sync-runner.js';
import { DEFAULT_SYNC, syncDuration } from '../../src/proxy/sync.js';
import { DEFAULT_COSTS } from '../../src/proxy/types.js';
import { Simulator } from '../../src/engine/simulator.js';
import { tinyCluster } from '../sim/tiny-cluster.js';

const MS = 1e6;

/**
 * The Go test's runner (minInterval 1 s, burst 2) driven by Run() calls at the given times, with
 * an instantaneous fn as the test's receiver is: the times fn ran.
 */
function replay(runCalls: readonly number[], burst = 2): number[] {
  const runner = new SyncRunners(1, 1000 * MS, burst);
  const ran: number[] = [];
  let deferredTo = Number.NaN;
  const run = (t: number) => {
    runner.start(0, t);
    runner.end(0, t);
    ran.push(t / MS);
    deferredTo = Number.NaN;
  };
  for (const t of runCalls) {
    if (deferredTo <= t) run(deferredTo);
    const at = runner.earliestStartNs(0, t);
    if (at === t) run(t);
    else deferredTo = at;
  }
  if (!Number.isNaN(deferredTo)) run(deferredTo);
  return ran;
}

describe('the BoundedFrequencyRunner token bucket (burst 2, starting full)', () => {
  it('replays Test_BoundedFrequencyRunnerBurst: runs at 0, 1, 1000, 2000, 4000, 4000 and 5000 ms', () => {
    // Run() at abs 0, 1, 499, 500, 501, 1000, 1001, 1999, 4000, 4000, 4000 ms (the Go test's steps).
    const calls = [0, 1, 499, 500, 501, 1000, 1001, 1999, 4000, 4000, 4000].map((t) => t * MS);
    expect(replay(calls)).toEqual([0, 1, 1000, 2000, 4000, 4000, 5000]);
  });

  it('defers the third of three quick changes to minInterval after the last sync ended (502 ms at 499 ms, as the Go test says)', () => {
    const runner = new SyncRunners(1, 1000 * MS, 2);
    for (const t of [0, 1]) {
      expect(runner.earliestStartNs(0, t * MS)).toBe(t * MS);
      runner.start(0, t * MS);
      runner.end(0, t * MS);
    }
    expect(runner.earliestStartNs(0, 499 * MS) - 499 * MS).toBe(502 * MS);
  });

  it('with burst 1 (kube-proxy 1.34+) waits minInterval from the end of the last sync', () => {
    expect(replay([0, 1, 500].map((t) => t * MS), 1)).toEqual([0, 1000]);
  });
});

describe("a node's kube-proxy in a run", () => {
  const cluster = tinyCluster([2, 2]);
  const ports = buildServicePorts(cluster);
  const cfg = {
    mode: 'iptables' as const,
    ipvsScheduler: 'rr' as const,
    costs: DEFAULT_COSTS,
    sync: DEFAULT_SYNC,
    watchDelayNs: 50 * MS,
    endNs: 60e9,
  };
  const restoreNs = (endpoints: number) => {
    const rules = 6 + 3 * endpoints;
    return Math.round(syncDuration('iptables', { services: 1, endpoints, changedServices: 1, totalRules: rules, partialRules: 1 + 3 + rules, save: true }));
  };

  /** Changes published at `atMs`, each dropping one endpoint; when node 0 installed each table version. */
  function installTimes(atMs: readonly number[]): number[] {
    const sim = new Simulator();
    const proxies = new NodeProxies(sim, cluster.nodes, ports, cfg);
    const CHANGE = sim.register('change', (k) => proxies.endpointsChanged(ports[0].endpoints.slice(k + 1)));
    atMs.forEach((t, k) => sim.scheduleAt(t * MS, CHANGE, k));
    const seen: number[] = [];
    const WATCH = sim.register('watch', () => {
      if (proxies.version(0) > seen.length) seen.push(sim.now);
      if (sim.now < 10e9) sim.schedule(MS / 10, WATCH);
    });
    sim.schedule(0, WATCH);
    sim.run();
    return seen;
  }

  it('installs an isolated change within the watch delay plus the sync time (minSyncPeriod 1 s)', () => {
    const [installed] = installTimes([2000]);
    expect(installed - 2000 * MS).toBeLessThanOrEqual(50 * MS + restoreNs(3) + MS / 10);
  });

  it('installs two quick changes each at once, and makes the third wait for a token', () => {
    const [first, second, third] = installTimes([2000, 2010, 2020]);
    expect(first - 2000 * MS).toBeLessThanOrEqual(50 * MS + restoreNs(3) + MS / 10);
    expect(second - 2010 * MS).toBeLessThanOrEqual(50 * MS + restoreNs(2) + MS / 10);
    // The second sync ended ≈ 2060 ms; the third starts 1 s after it.
    expect(third).toBeGreaterThan(3050 * MS);
  });
});
