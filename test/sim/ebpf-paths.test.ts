// Cilium's eBPF data path in whole runs: DSR against SNAT under Cluster (the reply's hop, the
// client's IP), and open connections moved to another node mid-stream (withdraw-node).

import { describe, expect, it } from 'vitest';
import type { EbpfConfig } from '../../src/proxy/types.js';
import type { ClusterEvent } from '../../src/sim/changes.js';
import type { SimConfig } from '../../src/sim/config.js';
import { simulate } from '../../src/sim/simulate.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

const ebpf = (base: SimConfig, o: Partial<EbpfConfig>): SimConfig => ({ ...base, proxy: { ...base.proxy, mode: 'ebpf', ebpf: { ...base.proxy.ebpf, ...o } } });

describe('eBPF NodePort under Cluster: DSR against SNAT', () => {
  // 2,000/s keeps three pods (4 workers × 500/s each) below saturation; network delays are
  // constants. Per-packet CPU is set to zero: DSR also spares the ingress node the reply's
  // packets, which would add a little queueing difference to the one hop this checks.
  const base = (() => {
    const cfg = simConfig(tinyCluster([1, 1, 1], 'Cluster'), { durationS: 5 });
    return { ...cfg, traffic: { ...cfg.traffic, ratePerS: 2000 }, proxy: { ...cfg.proxy, costs: { ...cfg.proxy.costs, packetBaseNs: 0, conntrackHitNs: 0, ebpfLookupNs: 0 } } };
  })();
  const snat = simulate(ebpf(base, { nodePortMode: 'snat' })).metrics;
  const dsr = simulate(ebpf(base, { nodePortMode: 'dsr' })).metrics;

  it('keeps the client IP on every request under DSR, and only on local-backend ones under SNAT', () => {
    expect(dsr.client_ip_preserved_share).toBe(1);
    expect(snat.client_ip_preserved_share).toBeCloseTo(1 - snat.cross_node_share, 12);
  });

  it('saves exactly one node-to-node hop per cross-node request: Δ mean latency = cross-node share × 0.1 ms', () => {
    // Arrivals, picks and service times come from named streams, so both runs see the same
    // requests; only the reply of a cross-node request is one constant hop shorter.
    expect(dsr.requests).toBe(snat.requests);
    expect(dsr.cross_node_share).toBe(snat.cross_node_share);
    expect(snat.latency_mean_ms - dsr.latency_mean_ms).toBeCloseTo(snat.cross_node_share * base.network.nodeToNodeMs as number, 9);
  });
});

describe('eBPF: open connections moved to another node (withdraw-node)', () => {
  const events: ClusterEvent[] = [{ atS: 3, action: 'withdraw-node', node: 'node-1' }];
  const base = (() => {
    const cfg = simConfig(tinyCluster([1, 1, 1], 'Cluster'), { durationS: 5, events });
    return { ...cfg, traffic: { ...cfg.traffic, clients: 300, ratePerS: 1500, requestsPerConnection: 10_000 } };
  })();
  const run = (o: Partial<EbpfConfig>) => simulate(ebpf(base, o)).metrics;

  it('survive with Maglev and DSR: the new node picks the same backend from the flow hash and the pod sees the same client', () => {
    const m = run({ algorithm: 'maglev', nodePortMode: 'dsr' });
    expect(m.failed_stale_endpoint).toBe(0);
    expect(m.ok).toBe(m.requests);
  });

  it('are reset with random selection, except about the 1/3 that land on their old pod again', () => {
    const m = run({ algorithm: 'random', nodePortMode: 'dsr' });
    // About a third of the 300 connections were on node-1; each is reset with probability 2/3.
    expect(m.failed_stale_endpoint).toBeGreaterThan(40);
    expect(m.failed_stale_endpoint).toBeLessThan(100);
  });

  it('are reset under SNAT whatever the algorithm, as under kube-proxy: the pod sees a new source address', () => {
    // All of node-1's connections (about 100) are reset; random DSR's count is about 2/3 of it.
    const dsrRandom = run({ algorithm: 'random', nodePortMode: 'dsr' }).failed_stale_endpoint;
    for (const m of [run({ algorithm: 'maglev', nodePortMode: 'snat' }), run({ algorithm: 'random', nodePortMode: 'snat' }), simulate(base).metrics]) {
      expect(m.failed_stale_endpoint).toBeGreaterThan(80);
      expect(m.failed_stale_endpoint).toBeGreaterThan(dsrRandom);
    }
  });
});
