// Every packet a node handles costs softirq time: checked against the closed form of packets per
// request (RFC 9293's handshake and close: 5 packets out and 3 back on a new connection, 1 and 1
// on an open one) times the per-packet costs, on the ingress node and on the pod's node.

import { describe, expect, it } from 'vitest';
import type { TrafficPolicy } from '../../src/cluster/model.js';
import { DEFAULT_COSTS } from '../../src/proxy/types.js';
import { simulate } from '../../src/sim/simulate.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

const { packetBaseNs: base, conntrackHitNs: hit, ipvsLookupNs: lookup } = DEFAULT_COSTS;
const DURATION_S = 10;

/** IPVS; open-loop Poisson arrivals, or with keep-alive 60 closed-loop clients, each on one connection. */
function run(podsPerNode: number[], policy: TrafficPolicy, keepAlive = false, costs = DEFAULT_COSTS, ratePerS = 1500) {
  const cfg = simConfig(tinyCluster(podsPerNode, policy), { durationS: DURATION_S });
  const traffic = keepAlive
    ? { ...cfg.traffic, model: 'closed' as const, clients: 60, thinkTimeMs: { dist: 'exponential' as const, meanMs: 30 }, requestsPerConnection: 1_000_000 }
    : { ...cfg.traffic, ratePerS };
  return simulate({ ...cfg, proxy: { ...cfg.proxy, mode: 'ipvs', costs }, traffic });
}

describe('softirq CPU per packet', () => {
  it('charges the ingress node for each packet of both directions: 8 bases, 1 lookup and 7 conntrack hits per new connection', () => {
    const r = run([1, 1, 1], 'Local');
    const perRequestNs = 8 * base + lookup + 7 * hit;
    for (const n of r.nodes) {
      const expected = (n.ingressRequests * perRequestNs) / (DURATION_S * 1e9);
      expect(Math.abs(n.cpuUtil - expected) / expected, n.node).toBeLessThan(0.02);
    }
  });

  it('charges the pod\'s node for cross-node traffic, both ways, as conntrack hits', () => {
    const r = run([1, 0, 0], 'Cluster');
    const ingressNs = 8 * base + lookup + 7 * hit;
    const forwardedNs = 8 * (base + hit);
    const [podNode, ...others] = r.nodes;
    const forwarded = others.reduce((a, n) => a + n.ingressRequests, 0);
    const expected = (podNode.ingressRequests * ingressNs + forwarded * forwardedNs) / (DURATION_S * 1e9);
    expect(Math.abs(podNode.cpuUtil - expected) / expected).toBeLessThan(0.02);
    // A request's time in softirq is its packets' costs on each node it crosses, plus waits that
    // are small at these loads (M/G/1: ρ·E[S²]/(2(1−ρ)E[S]) with ρ < 0.03): one third stay on the
    // pod's node (out 5 packets + back 3), two thirds also cross it both ways as conntrack hits.
    const sameNs = ingressNs;
    const crossNs = ingressNs + forwardedNs;
    const expectedMs = (sameNs / 3 + (2 * crossNs) / 3) / 1e6;
    expect(r.metrics.dataplane_mean_ms).toBeGreaterThan(expectedMs * 0.98);
    expect(r.metrics.dataplane_mean_ms).toBeLessThan(expectedMs * 1.1);
    // And tracks those connections there: its table holds its own and every forwarded one.
    const othersPeak = others.reduce((a, n) => a + n.conntrackPeak, 0);
    expect(podNode.conntrackPeak).toBeGreaterThan(0.98 * (othersPeak + podNode.ingressRequests));
  });

  it('charges one packet each way, a conntrack hit, for a request on an open connection', () => {
    const r = run([1, 1, 1], 'Local', true);
    const perRequestNs = 2 * (base + hit);
    for (const n of r.nodes) {
      const expected = (n.ingressRequests * perRequestNs) / (DURATION_S * 1e9);
      expect(Math.abs(n.cpuUtil - expected) / expected, n.node).toBeLessThan(0.03);
    }
  });

  it('saturates an IPVS node whose packets cost more than its core has', () => {
    // 1,000 new connections/s per node at 8 × 150 µs = 1.2 s of work per second: more than one core.
    const r = run([1, 1, 1], 'Local', false, { ...DEFAULT_COSTS, packetBaseNs: 150_000 }, 3000);
    for (const n of r.nodes) expect(n.cpuUtil, n.node).toBeGreaterThan(0.97);
    expect(r.metrics.node_cpu_util_max).toBeLessThanOrEqual(1 + 1e-9);
    expect(r.metrics.latency_p50_ms).toBeGreaterThan(10);
  });
});
