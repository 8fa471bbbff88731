// Cilium's eBPF data path as a packet-flow table: service map lookups, random backend choice,
// NodePort SNAT / DSR / hybrid, externalTrafficPolicy Local, ClientIP affinity, flat cost at
// scale, and the BPF CT map's LRU behaviour when full.

import { describe, expect, it } from 'vitest';
import { Conntrack } from '../../src/proxy/conntrack.js';
import { EbpfTable } from '../../src/proxy/ebpf.js';
import { NodeProxyState } from '../../src/proxy/node-state.js';
import { DEFAULT_SYNC, runnerMinIntervalNs, syncDuration } from '../../src/proxy/sync.js';
import { syntheticServicePorts } from '../../src/proxy/synthetic.js';
import { DEFAULT_COSTS, type EbpfConfig, Verdict } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';
import { mulberry32 } from '../support/seeded.js';

const NODE_IP = '192.168.1.10';
const cfg = (o: Partial<EbpfConfig> = {}): EbpfConfig => ({ algorithm: 'random', maglevTableSize: 16381, nodePortMode: 'snat', ...o });
// Two endpoints on node-a (this node), two elsewhere.
const mixed = (o: Parameters<typeof servicePort>[0] = {}) =>
  servicePort({
    nodePort: 30080,
    endpoints: [
      { ip: '10.244.0.2', node: 'node-a' },
      { ip: '10.244.0.3', node: 'node-a' },
      { ip: '10.244.1.2', node: 'node-b' },
      { ip: '10.244.2.2', node: 'node-c' },
    ],
    ...o,
  });
const table = (sps = [mixed()], o: Partial<EbpfConfig> = {}, state?: NodeProxyState) =>
  new EbpfTable('node-a', sps, DEFAULT_COSTS, { nodeIP: NODE_IP, ebpf: cfg(o), state });

/** χ² critical value for 3 degrees of freedom at p = 0.001. */
const CHI2_3DF_P001 = 16.27;

describe('eBPF service lookup', () => {
  it('finds the NodePort frontend by (node IP, nodePort, TCP); an unknown port gets the host RST', () => {
    const t = table();
    expect(t.servicePortForNodePort(30080)).toBe(0);
    expect(t.servicePortForNodePort(30081)).toBe(-1);
    expect(t.connect(30081, 1, 0, mulberry32(1), 40000)).toBe(Verdict.NoService);
    expect(t.explain()).toEqual(['no service map entry']);
  });

  it('lists a ClusterIP and NodePort frontends (the 0.0.0.0 surrogate and the node IP) per service port, sharing one rev-NAT id', () => {
    const t = table();
    expect(t.services.map((s) => `${s.address}:${s.port}/${s.protocol} ${s.kind} ${s.revNatId}`)).toEqual([
      '172.30.0.41:80/TCP ClusterIP 1',
      '0.0.0.0:30080/TCP NodePort 1',
      `${NODE_IP}:30080/TCP NodePort 1`,
    ]);
    expect(t.backendMap().addresses.slice(1)).toEqual(['10.244.0.2:80/TCP', '10.244.0.3:80/TCP', '10.244.1.2:80/TCP', '10.244.2.2:80/TCP']);
  });

  it('picks a random slot uniformly (χ², 40,000 seeded connections, p = 0.001)', () => {
    const t = table();
    const random = mulberry32(42);
    const counts = [0, 0, 0, 0];
    const n = 40_000;
    for (let i = 0; i < n; i++) counts[t.connect(30080, 0x64400001 + i, 0, random, 40000)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 4) ** 2 / (n / 4), 0);
    expect(chi2, `counts ${counts}`).toBeLessThan(CHI2_3DF_P001);
  });

  it('costs the same and looks up the same maps with 10 or 100,000 Services', () => {
    const walked = [10, 100_000].map((n) => {
      const sps = syntheticServicePorts(n, 10, ['node-a']);
      const t = new EbpfTable('node-a', sps, DEFAULT_COSTS, { nodeIP: NODE_IP });
      t.connect(sps[n - 1].nodePort, 1, 0, mulberry32(1), 40000);
      return [t.lastRulesWalked, t.lastCostNs];
    });
    expect(walked[1]).toEqual(walked[0]);
    expect(walked[0]).toEqual([3, DEFAULT_COSTS.ebpfLookupNs]);
  });

  it('rejects when the service has no backends at all', () => {
    expect(table([mixed({ endpoints: [] })]).connect(30080, 1, 0, mulberry32(1), 40000)).toBe(Verdict.Reject);
  });
});

describe('eBPF NodePort forwarding', () => {
  // Connections from many clients, split by whether the backend is on this node.
  const flows = (t: EbpfTable) => {
    const random = mulberry32(9);
    const out = { local: new Set<string>(), remote: new Set<string>() };
    for (let i = 0; i < 400; i++) {
      const e = t.connect(30080, 0x64400001 + i, 0, random, 40000 + i);
      const remote = t.servicePorts[0].endpoints[e].nodeName !== 'node-a';
      (remote ? out.remote : out.local).add(`snat=${t.lastMasquerade} dsr=${t.lastDirectReply}`);
    }
    return { local: [...out.local], remote: [...out.remote] };
  };

  it('SNAT mode: a remote backend is SNATed (the reply returns through this node), a local one is not', () => {
    expect(flows(table([mixed()], { nodePortMode: 'snat' }))).toEqual({ local: ['snat=false dsr=false'], remote: ['snat=true dsr=false'] });
  });

  it('DSR mode: a remote backend keeps the client IP and its node replies directly', () => {
    expect(flows(table([mixed()], { nodePortMode: 'dsr' }))).toEqual({ local: ['snat=false dsr=false'], remote: ['snat=false dsr=true'] });
  });

  it('hybrid mode: DSR for TCP, SNAT for UDP', () => {
    const t = table([mixed(), mixed({ svc: 'dns', protocol: 'UDP', nodePort: 30053, clusterIP: '172.30.0.53' })], { nodePortMode: 'hybrid' });
    expect(flows(t).remote).toEqual(['snat=false dsr=true']);
    expect(t.services.filter((s) => s.kind === 'NodePort' && s.routable).map((s) => `${s.protocol} ${s.nat}`)).toEqual(['TCP dsr', 'UDP snat']);
  });

  it('externalTrafficPolicy Local: only this node’s backends, no NAT; none here → the packet is dropped', () => {
    const local = mixed({ policy: 'Local' });
    const t = table([local], { nodePortMode: 'snat' });
    expect(flows(t)).toEqual({ local: ['snat=false dsr=false'], remote: [] });
    const elsewhere = new EbpfTable('node-d', [local], DEFAULT_COSTS, { nodeIP: '192.168.1.13' });
    expect(elsewhere.connect(30080, 1, 0, mulberry32(1), 40000)).toBe(Verdict.Drop);
    // The ClusterIP frontend still lists every backend (internal scope).
    expect(t.services[0].slots.length).toBe(4);
  });
});

describe('eBPF ClientIP affinity (LB4_AFFINITY_MAP)', () => {
  const sticky = mixed({ affinity: 'ClientIP', affinityTimeoutS: 10 });

  it('keeps a client on one backend while it keeps coming back within the timeout, on this node', () => {
    const state = new NodeProxyState();
    const random = mulberry32(3);
    const first = table([sticky], {}, state).connect(30080, 7, 0, random, 40000);
    // A recompiled table on the same node reads the same map.
    for (let t = 1; t <= 30; t++) expect(table([sticky], {}, state).connect(30080, 7, t * 5e9, random, 40000 + t)).toBe(first);
  });

  it('forgets the client once the entry has not been used for longer than the timeout', () => {
    const t = table([sticky], {}, new NodeProxyState());
    const random = mulberry32(4);
    const picks = new Set<number>();
    for (let k = 0; k < 40; k++) picks.add(t.connect(30080, 7, k * 11e9, random, 40000));
    expect(picks.size).toBeGreaterThan(1);
  });

  it('is per node: another node has its own map and chooses afresh', () => {
    const random = mulberry32(5);
    let differ = 0;
    for (let c = 0; c < 100; c++) {
      const a = table([sticky], {}, new NodeProxyState()).connect(30080, c, 0, random, 40000);
      const b = new EbpfTable('node-b', [sticky], DEFAULT_COSTS, { nodeIP: '192.168.1.11', state: new NodeProxyState() }).connect(30080, c, 0, random, 40000);
      if (a !== b) differ++;
    }
    expect(differ).toBeGreaterThan(50);
  });
});

describe('eBPF map updates', () => {
  it('start as soon as the agent sees a change (no minSyncPeriod) and cost per changed service only', () => {
    expect(runnerMinIntervalNs('ebpf', DEFAULT_SYNC)).toBe(0);
    expect(runnerMinIntervalNs('iptables', DEFAULT_SYNC)).toBe(DEFAULT_SYNC.minSyncPeriodNs);
    const work = (services: number) => ({ services, changedServices: 1, totalRules: 0, partialRules: 0 });
    expect(syncDuration('ebpf', work(30_000))).toBe(syncDuration('ebpf', work(10)));
  });
});

describe('BPF CT map when full (LRU hash)', () => {
  it('evicts a closed entry first, then the oldest open one, where netfilter drops the packet', () => {
    const lru = new Conntrack(3, { whenFull: 'evict' });
    const nf = new Conntrack(3);
    const h = [0, 1, 2].map((e) => lru.insert(e, 100e9, 0));
    [0, 1, 2].forEach((e) => nf.insert(e, 100e9, 0));
    expect(nf.insert(3, 100e9, 1)).toBe(-1);
    lru.close(h[1], 10e9, 1);
    const h3 = lru.insert(3, 100e9, 2);
    expect(h3).toBeGreaterThanOrEqual(0);
    expect([lru.lookup(h[0], 2), lru.lookup(h[2], 2), lru.lookup(h3, 2)]).toEqual([0, 2, 3]);
    lru.insert(4, 100e9, 3);
    expect(lru.lookup(h[0], 3)).toBe(-1);
    expect(lru.size).toBe(3);
    expect(lru.evicted).toBe(2);
  });
});
