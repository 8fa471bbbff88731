import { describe, expect, it } from 'vitest';
import type { Cluster } from '../../src/cluster/model.js';
import { Outcome } from '../../src/metrics/outcome.js';
import { type RequestRecord, simulate } from '../../src/sim/simulate.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

/** The pods' containers declare `ports` (the service's targetPort stays 80). */
const declaring = (c: Cluster, ports: readonly number[][]): Cluster => ({
  ...c,
  pods: c.pods.map((p, i) => ({ ...p, containers: [{ ...p.containers[0], ports: ports[i].map((containerPort) => ({ containerPort, protocol: 'TCP' as const })) }] })),
});

describe('a connection to a pod port nothing listens on', () => {
  // Constant one-way delays: client→node 0.2 ms, node→pod 0.01 ms (sim-config.ts). With Local
  // policy each connection stays on its node, so the RST comes back after exactly one round trip
  // of 2 × 0.21 ms, plus the ingress node's rule walk (well under 0.05 ms at this load).
  const roundTripMs = 2 * (0.2 + 0.01);

  it('is refused at the pod after one round trip: every request of a mismatched targetPort fails', () => {
    const ends: RequestRecord[] = [];
    const cfg = simConfig(declaring(tinyCluster([1, 1], 'Local'), [[8080], [8080]]), { durationS: 2 });
    const m = simulate({ ...cfg, traffic: { ...cfg.traffic, ratePerS: 500 } }, { onRequestEnd: (r) => ends.push(r) }).metrics;
    expect(m.requests).toBeGreaterThan(500);
    expect(m.refused_no_listener).toBe(m.requests);
    expect(m.ok).toBe(0);
    expect(m.ok_share).toBe(0);
    expect(m.error_share).toBe(1);
    expect(m.goodput_per_s).toBe(0);
    expect(m.failed_latency_mean_ms).toBeGreaterThanOrEqual(roundTripMs);
    expect(m.failed_latency_mean_ms).toBeLessThan(roundTripMs + 0.05);
    for (const r of ends) {
      expect(r.outcome).toBe(Outcome.RefusedNoListener);
      const ms = (r.endedAtNs - r.sentAtNs) / 1e6;
      expect(ms).toBeGreaterThanOrEqual(roundTripMs - 1e-6);
      expect(ms).toBeLessThan(roundTripMs + 0.05);
    }
  });

  it('is refused only at the pods that lack the port: one of two pods ⇒ about half the requests', () => {
    const cfg = simConfig(declaring(tinyCluster([1, 1], 'Cluster'), [[80], [9000]]), { durationS: 10 });
    const m = simulate({ ...cfg, traffic: { ...cfg.traffic, ratePerS: 1000 } }).metrics;
    // iptables picks each endpoint with probability 1/2: binomial, n ≈ 10,000, sd = 0.005.
    expect(Math.abs(m.refused_no_listener / m.requests - 0.5)).toBeLessThan(0.02);
    expect(m.ok + m.refused_no_listener).toBe(m.requests);
    expect(m.error_share).toBeCloseTo(m.refused_no_listener / m.requests, 12);
    expect(m.ok_share + m.error_share).toBeCloseTo(1, 12);
  });

  it('is not refused when the pod declares no container port: silence is taken as listening on any port', () => {
    const cfg = simConfig(declaring(tinyCluster([1, 1], 'Cluster'), [[], []]), { durationS: 2 });
    const m = simulate({ ...cfg, traffic: { ...cfg.traffic, ratePerS: 1000 } }).metrics;
    expect(m.refused_no_listener).toBe(0);
    expect(m.ok).toBe(m.requests);
    expect(m.error_share).toBe(0);
    expect(Number.isNaN(m.failed_latency_mean_ms)).toBe(true);
  });
});
