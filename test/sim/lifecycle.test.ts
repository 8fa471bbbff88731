import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/model.js';
import { type RequestRecord, simulate } from '../../src/sim/simulate.js';
import { Outcome } from '../../src/metrics/outcome.js';
import { syncDuration } from '../../src/proxy/sync.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

const withAffinity = (c: Cluster): Cluster => ({
  ...c,
  services: c.services.map((s) => ({ ...s, sessionAffinity: 'ClientIP' as const })),
});
const asDeployment = (c: Cluster): Cluster => ({
  ...c,
  pods: c.pods.map((p) => ({ ...p, owner: 'web' })),
  deployments: [{ namespace: 'default', name: 'web', replicas: c.pods.length, selector: { app: 'web' }, templateLabels: { app: 'web' }, containers: c.pods[0].containers }],
});

describe('conservation and Little’s law', () => {
  it('accounts for every request sent: completed + failed + in flight, under overload and failures', () => {
    const cfg = simConfig(tinyCluster([1, 2, 0], 'Local'), { durationS: 5 });
    // Overload (queue_full), a node without endpoints (drops) and a pod killed mid-run.
    const m = simulate({
      ...cfg,
      traffic: { ...cfg.traffic, ratePerS: 9000 },
      pods: { ...cfg.pods, queueLimit: 20 },
      events: [{ atS: 3, action: 'kill-pod', pod: 'web-1' }],
    }).metrics;
    expect(m.queue_full).toBeGreaterThan(0);
    expect(m.dropped_no_local_endpoint).toBeGreaterThan(0);
    const ended = m.ok + m.dropped_no_local_endpoint + m.rejected_no_endpoints + m.failed_stale_endpoint + m.queue_full + m.conntrack_full + m.timeout + m.refused_no_listener;
    // The run drains: every request sent in the window ended exactly once (a second end throws).
    expect(m.in_flight_at_end).toBe(0);
    expect(ended).toBe(m.requests);
    expect(m.ok_share + m.error_share).toBeCloseTo(1, 12);
    expect(m.error_share).toBeCloseTo((m.requests - m.ok) / m.requests, 12);
  });

  it('holds on every pod: time-average number in system = throughput × mean time in system (within 1%)', () => {
    const r = simulate(simConfig(tinyCluster([1, 2, 3], 'Cluster'), { durationS: 60 }));
    for (const p of r.pods) {
      const littles = p.throughputPerS * (p.meanTimeInSystemMs / 1000);
      expect(Math.abs(p.meanInSystem - littles) / littles, p.pod).toBeLessThan(0.01);
    }
  });
});

describe('sessionAffinity: ClientIP', () => {
  /** Distinct pods each client reached, from the simulator's per-request records. */
  const podsPerClient = (ingress: 'round-robin' | 'single') => {
    const seen = new Map<number, Set<number>>();
    const cfg = simConfig(withAffinity(tinyCluster([1, 1, 1], 'Cluster')), { durationS: 10 });
    // 60 clients: every recent list stays under xt_recent's 100 addresses.
    simulate(
      { ...cfg, traffic: { ...cfg.traffic, clients: 60, ratePerS: 600, ingress } },
      {
        onRequestEnd: (r: RequestRecord) => {
          if (r.outcome !== Outcome.Ok) return;
          const set = seen.get(r.client) ?? new Set<number>();
          set.add(r.pod);
          seen.set(r.client, set);
        },
      },
    );
    return [...seen.values()].map((s) => s.size);
  };

  it('pins each client to exactly one pod when a single node takes all traffic', () => {
    const counts = podsPerClient('single');
    expect(counts.length).toBe(60);
    expect(new Set(counts)).toEqual(new Set([1]));
  });

  it('does not hold when the balancer spreads a client over 3 nodes: affinity state is per node', () => {
    const counts = podsPerClient('round-robin');
    expect(Math.max(...counts)).toBeLessThanOrEqual(3);
    // Each node picked independently: P(all three nodes pick one pod) = 1/9, so most clients see several.
    expect(counts.filter((c) => c > 1).length).toBeGreaterThan(counts.length / 2);
  });
});

describe('externalTrafficPolicy: Local behind a balancer', () => {
  const run = (ingress: 'round-robin' | 'health-checked') => {
    const cfg = simConfig(tinyCluster([2, 1, 0], 'Local'), { durationS: 10 });
    return simulate({ ...cfg, traffic: { ...cfg.traffic, ratePerS: 2000, ingress } }).metrics;
  };

  it('drops every SYN sent to the node without endpoints under round-robin (a third of them)', () => {
    const m = run('round-robin');
    expect(Math.abs(m.dropped_no_local_endpoint / m.requests - 1 / 3)).toBeLessThan(0.01);
  });

  it('drops none once the health-checked balancer has taken that node out (503 on healthCheckNodePort)', () => {
    const m = run('health-checked');
    expect(m.dropped_no_local_endpoint).toBe(0);
    expect(m.ok).toBe(m.requests);
  });
});

describe('changes over time', () => {
  it('fails requests to a killed pod only until each node has synced the EndpointSlice change', () => {
    const killAtNs = 5e9;
    const stale: number[] = [];
    const cfg = simConfig(tinyCluster([1, 1, 1], 'Cluster'), { durationS: 15 });
    const r = simulate(
      { ...cfg, traffic: { ...cfg.traffic, ratePerS: 3000 }, events: [{ atS: 5, action: 'kill-pod', pod: 'web-0', restartAfterS: 60 }] },
      { onRequestEnd: (x) => x.outcome === Outcome.FailedStaleEndpoint && stale.push(x.endedAtNs) },
    );
    expect(stale.length).toBeGreaterThan(0);
    expect(Math.min(...stale)).toBeGreaterThanOrEqual(killAtNs);
    // The runner's bucket is full, so each node syncs as soon as its informer delivers the change
    // (50 ms watch delay) and routes on the new rules after a partial sync: the target's chains
    // (6 + 3·2 rules) and the dispatch rules (1 + 3) generated and restored, and (below the
    // large-cluster threshold) an iptables-save of the 12 rules.
    const work = { services: 1, endpoints: 2, changedServices: 1, totalRules: 12, partialRules: 16, save: true };
    const tablesUpdatedNs = killAtNs + 50e6 + Math.round(syncDuration('iptables', work));
    expect(r.metrics.syncs).toBe(3);
    expect(r.metrics.sync_lag_max_ms).toBeCloseTo((tablesUpdatedNs - killAtNs) / 1e6, 6);
    // A request routed just before then still travels the network and may wait at the pod.
    expect(Math.max(...stale)).toBeLessThanOrEqual(tablesUpdatedNs + 2e6);
  });

  it('gives pods added by a scale-up traffic only from new connections under keep-alive', () => {
    const newPodShare = (requestsPerConnection: number) => {
      const cfg = simConfig(asDeployment(tinyCluster([1, 1], 'Cluster')), { durationS: 20 });
      const r = simulate({
        ...cfg,
        traffic: { ...cfg.traffic, clients: 2000, ratePerS: 1500, requestsPerConnection },
        events: [{ atS: 5, action: 'scale', deployment: 'web', replicas: 4 }],
      });
      const fresh = r.pods.filter((p) => p.pod.startsWith('web-new-')).reduce((a, p) => a + p.requests, 0);
      return fresh / r.pods.reduce((a, p) => a + p.requests, 0);
    };
    // Without keep-alive the two new pods take about half of the traffic after they are ready.
    expect(newPodShare(1)).toBeGreaterThan(0.3);
    // With long-lived connections the clients stay on the old pods.
    expect(newPodShare(1_000_000)).toBeLessThan(0.05);
  });
});

describe('connections across changes', () => {
  it('keeps IPVS connection counts consistent when a sync removes an endpoint (rr and lc)', () => {
    for (const ipvsScheduler of ['rr', 'lc'] as const) {
      const cfg = simConfig(tinyCluster([1, 1, 1], 'Cluster'), { durationS: 10 });
      const m = simulate({
        ...cfg,
        proxy: { ...cfg.proxy, mode: 'ipvs', ipvsScheduler },
        traffic: { ...cfg.traffic, ratePerS: 3000, requestsPerConnection: 5 },
        events: [{ atS: 5, action: 'kill-pod', pod: 'web-1', restartAfterS: 2 }],
      }).metrics;
      expect(m.failed_stale_endpoint, ipvsScheduler).toBeGreaterThan(0);
      expect(m.in_flight_at_end).toBe(0);
    }
  });

  it('routes a keep-alive request by its own connection even when its client opens another meanwhile', () => {
    // Few clients at a high rate: a client often sends again while its connection is busy.
    const cfg = simConfig(tinyCluster([1, 1], 'Cluster'), { durationS: 5 });
    const m = simulate({ ...cfg, traffic: { ...cfg.traffic, clients: 5, ratePerS: 1000, requestsPerConnection: 50 } }).metrics;
    expect(m.rejected_no_endpoints).toBe(0);
    expect(m.failed_stale_endpoint).toBe(0);
    expect(m.ok).toBe(m.requests);
  });

  it('resets keep-alive connections made to a pod that has since restarted', () => {
    const restartedAtNs = 4e9;
    const staleAfterRestart: number[] = [];
    const cfg = simConfig(tinyCluster([1, 1], 'Cluster'), { durationS: 10 });
    simulate(
      {
        ...cfg,
        // Each client sends every 2.5 s on average, so many stay silent through the 1 s outage.
        traffic: { ...cfg.traffic, clients: 50, ratePerS: 20, requestsPerConnection: 1_000_000 },
        events: [{ atS: 3, action: 'kill-pod', pod: 'web-0', restartAfterS: 1 }],
      },
      { onRequestEnd: (r) => r.outcome === Outcome.FailedStaleEndpoint && r.sentAtNs > restartedAtNs && staleAfterRestart.push(r.sentAtNs) },
    );
    // Connections opened before the kill still point at web-0; its new container knows none of them.
    expect(staleAfterRestart.length).toBeGreaterThan(0);
  });

  it('ends a closed-loop request exactly at the client timeout, while the pod still serves it', () => {
    const timeoutNs = 0.05e9;
    const waited: number[] = [];
    const cfg = simConfig(tinyCluster([1], 'Cluster'), { durationS: 5 });
    const m = simulate(
      {
        ...cfg,
        // 400 closed-loop clients thinking 10 ms each overload one 4-worker pod.
        traffic: { ...cfg.traffic, model: 'closed', clients: 400, thinkTimeMs: 10, requestTimeoutS: 0.05 },
      },
      { onRequestEnd: (r) => r.outcome === Outcome.Timeout && waited.push(r.endedAtNs - r.sentAtNs) },
    ).metrics;
    expect(m.timeout).toBeGreaterThan(0);
    expect(new Set(waited)).toEqual(new Set([timeoutNs]));
    expect(m.in_flight_at_end).toBe(0);
  });
});
