import { describe, expect, it } from 'vitest';
import { Outcome } from '../../src/metrics/outcome.js';
import { simulate } from '../../src/sim/simulate.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

describe('clients', () => {
  it('in a closed loop obey the interactive response time law X = N / (R + Z)', () => {
    const cfg = simConfig(tinyCluster([1, 1], 'Cluster'), { durationS: 60, warmupS: 5 });
    const N = 200;
    const Z = 0.1; // mean think time, s
    const m = simulate({
      ...cfg,
      traffic: { ...cfg.traffic, model: 'closed', clients: N, thinkTimeMs: { dist: 'exponential', meanMs: Z * 1000 } },
    }).metrics;
    const R = m.latency_mean_ms / 1000;
    // Over a long window the law holds to within the edge effects of the window (< 1%).
    expect(Math.abs(m.throughput_per_s - N / (R + Z)) / (N / (R + Z))).toBeLessThan(0.01);
    expect(m.ok).toBe(m.requests);
  });

  it('give up on replies slower than their request timeout, and only on those', () => {
    const cfg = simConfig(tinyCluster([1], 'Cluster'), { durationS: 5, warmupS: 0 });
    const latencies: number[] = [];
    const m = simulate(
      // One pod (4 × 500/s) offered 2,500/s: its queue grows without bound.
      { ...cfg, traffic: { ...cfg.traffic, ratePerS: 2500, requestTimeoutS: 0.05 } },
      { onRequestEnd: (r) => r.outcome === Outcome.Ok && latencies.push(r.endedAtNs - r.sentAtNs) },
    ).metrics;
    expect(m.timeout).toBeGreaterThan(0);
    expect(m.ok).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(0.05e9);
    expect(m.latency_max_ms).toBeLessThanOrEqual(50);
  });

  it('keep retransmitting a silently dropped SYN until their connect timeout, then give up', () => {
    const cfg = simConfig(tinyCluster([1, 0], 'Local'), { durationS: 2, warmupS: 0 });
    const failedAfter: number[] = [];
    simulate(
      { ...cfg, traffic: { ...cfg.traffic, ratePerS: 50, connectTimeoutS: 10 } },
      { onRequestEnd: (r) => r.outcome === Outcome.DroppedNoLocalEndpoint && failedAfter.push(r.endedAtNs - r.sentAtNs) },
    );
    expect(failedAfter.length).toBeGreaterThan(0);
    // SYNs at 0, 1, 3 and 7 s all meet the DROP; a 5th would go at 15 s: the client gives up at 10 s.
    expect(new Set(failedAfter)).toEqual(new Set([10e9]));
  });
});

describe('latency parts', () => {
  it('add up to the end-to-end latency, retransmitted SYNs included', () => {
    const cfg = simConfig(tinyCluster([1, 1], 'Cluster'), { durationS: 10 });
    // A tiny conntrack table with a short TIME_WAIT: some SYNs are dropped, retried and then served.
    const m = simulate({
      ...cfg,
      traffic: { ...cfg.traffic, ratePerS: 300 },
      conntrack: { ...cfg.conntrack, maxEntries: 40, timeWaitS: 0.2 },
    }).metrics;
    expect(m.latency_max_ms).toBeGreaterThan(1000); // some requests waited for a retransmission
    const parts = m.network_mean_ms + m.dataplane_mean_ms + m.pod_queue_mean_ms + m.service_mean_ms;
    expect(Math.abs(parts - m.latency_mean_ms) / m.latency_mean_ms).toBeLessThan(1e-9);
  });
});
