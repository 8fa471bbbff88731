// Graceful deletion against kube-proxy's behaviour: a terminating endpoint (ready: false,
// serving: true) gets no new connection while ready ones exist, and is the fallback when none do
// (CategorizeEndpoints); a pod that keeps accepting connections longer than the nodes take to
// sync fails no request, where one that exits at once does.

import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/model.js';
import { Outcome } from '../../src/metrics/outcome.js';
import { DEFAULT_CHANGE_TIMING, planChanges } from '../../src/sim/changes.js';
import { simulate } from '../../src/sim/simulate.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

const asDeployment = (c: Cluster): Cluster => ({
  ...c,
  pods: c.pods.map((p) => ({ ...p, owner: 'web' })),
  deployments: [{ namespace: 'default', name: 'web', replicas: c.pods.length, selector: { app: 'web' }, templateLabels: { app: 'web' }, containers: c.pods[0].containers }],
});

const failures = (m: Record<string, number>) =>
  m.dropped_no_local_endpoint + m.rejected_no_endpoints + m.failed_stale_endpoint + m.queue_full + m.conntrack_full + m.timeout;

describe('a rolling restart', () => {
  const run = (preStopSleepS: number, drainS: number, requestsPerConnection = 1) => {
    const cfg = simConfig(asDeployment(tinyCluster([1, 1, 1], 'Cluster')), { durationS: 30 });
    return simulate({
      ...cfg,
      traffic: { ...cfg.traffic, ratePerS: 3000, requestsPerConnection },
      changeTiming: { ...DEFAULT_CHANGE_TIMING, preStopSleepS, drainS },
      events: [{ atS: 3, action: 'rolling-restart', deployment: 'web' }],
    });
  };

  it('fails requests when each old pod exits as it is deleted (no preStop, no drain)', () => {
    const r = run(0, 0);
    expect(r.metrics.failed_stale_endpoint).toBeGreaterThan(0);
  });

  it('fails none when each old pod keeps accepting connections longer than the sync lag (preStop 5 s)', () => {
    const r = run(5, 1);
    expect(failures(r.metrics)).toBe(0);
    expect(r.metrics.ok).toBe(r.metrics.requests);
    // The rollout did happen: the three new pods served and the old ones stopped.
    expect(r.pods.filter((p) => p.pod.startsWith('web-new-') && p.requests > 0).length).toBe(3);
  });

  it('fails none under keep-alive when the draining pods close their idle connections and finish the rest', () => {
    const crash = run(0, 0, 100);
    expect(crash.metrics.failed_stale_endpoint).toBeGreaterThan(0);
    const graceful = run(5, 1, 100);
    expect(failures(graceful.metrics)).toBe(0);
    expect(graceful.metrics.ok).toBe(graceful.metrics.requests);
  });
});

describe('the last pod of a Service, deleted', () => {
  it('keeps getting connections as a serving, terminating endpoint until it stops listening', () => {
    const ended: { at: number; outcome: number }[] = [];
    const cfg = simConfig(tinyCluster([1, 0], 'Cluster'), { durationS: 10 });
    simulate(
      {
        ...cfg,
        traffic: { ...cfg.traffic, ratePerS: 1000 },
        changeTiming: { ...DEFAULT_CHANGE_TIMING, preStopSleepS: 3, drainS: 0 },
        events: [{ atS: 3, action: 'delete-pod', pod: 'web-0' }],
      },
      { onRequestEnd: (x) => ended.push({ at: x.endedAtNs, outcome: x.outcome }) },
    );
    // Between deletion and SIGTERM (3 s to 6 s) the only endpoint is terminating but serving:
    // kube-proxy falls back to it and every request succeeds.
    const during = ended.filter((e) => e.at > 3.2e9 && e.at < 5.9e9);
    expect(during.length).toBeGreaterThan(2000);
    expect(during.every((e) => e.outcome === Outcome.Ok)).toBe(true);
    // Once the nodes have synced its exit, no endpoint is left: connections are rejected.
    expect(ended.filter((e) => e.at > 7e9).every((e) => e.outcome === Outcome.RejectedNoEndpoints)).toBe(true);
  });
});

describe('delete-pod, planned', () => {
  const timing = { ...DEFAULT_CHANGE_TIMING, preStopSleepS: 4, drainS: 2, terminationGracePeriodS: 5 };

  it('turns the endpoint terminating at once, stops listening after preStop, exits at the grace period at the latest', () => {
    const plan = planChanges(tinyCluster([1, 1]), [{ atS: 10, action: 'delete-pod', pod: 'web-0' }], timing);
    expect(plan.podChanges.filter((c) => c.pod === 0)).toEqual([
      { atNs: 10e9, pod: 0, terminating: true },
      { atNs: 14e9, pod: 0, listening: false, ready: false },
      // preStop 4 s + drain 2 s would be 6 s: SIGKILL comes at the 5 s grace period first.
      { atNs: 15e9, pod: 0, alive: false },
    ]);
    expect(plan.pods.length).toBe(2);
  });

  it('has the ReplicaSet replace a Deployment’s pod at once', () => {
    const plan = planChanges(asDeployment(tinyCluster([1, 1])), [{ atS: 10, action: 'delete-pod', pod: 'web-0' }], timing);
    expect(plan.pods.length).toBe(3);
    expect(plan.podChanges.filter((c) => c.pod === 2)).toEqual([
      { atNs: 10e9, pod: 2, alive: true },
      { atNs: 10e9 + timing.readyAfterS * 1e9, pod: 2, ready: true },
    ]);
  });
});
