// Endpoint choice statistics per mode, IPVS scheduler behaviour, and rule-walk scale.

import { describe, expect, it } from 'vitest';
import { compileNodeTable } from '../../src/proxy/compile.js';
import { addOrder, reconcileDestinations } from '../../src/proxy/ipvs-destinations.js';
import { shBucket } from '../../src/proxy/ipvs-schedulers.js';
import { IpvsTable } from '../../src/proxy/ipvs.js';
import { NodeProxyState } from '../../src/proxy/node-state.js';
import { syntheticServicePorts } from '../../src/proxy/synthetic.js';
import { DEFAULT_COSTS } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';
import { mulberry32 } from '../support/seeded.js';

const four = servicePort({ nodePort: 30080, endpoints: [1, 2, 3, 4].map((i) => ({ ip: `10.244.0.${i}`, node: 'node-a' })) });

/** χ² critical value for 3 degrees of freedom at p = 0.001: a fair pick fails 1 run in 1000. */
const CHI2_3DF_P001 = 16.27;

describe.each(['iptables', 'nftables'] as const)('%s endpoint choice', (mode) => {
  it('is uniform over four endpoints (χ², 40,000 seeded connections, p = 0.001)', () => {
    const table = compileNodeTable(mode, 'node-a', [four], DEFAULT_COSTS);
    const counts = [0, 0, 0, 0];
    const random = mulberry32(42);
    const n = 40_000;
    for (let i = 0; i < n; i++) counts[table.connect(30080, 0xcb007100 + i, i, random)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 4) ** 2 / (n / 4), 0);
    expect(chi2, `counts ${counts}`).toBeLessThan(CHI2_3DF_P001);
  });

  it('keeps a ClientIP client on one endpoint until the affinity timeout passes', () => {
    const sp = servicePort({ nodePort: 30080, affinity: 'ClientIP', affinityTimeoutS: 10, endpoints: four.endpoints.map((e) => ({ ip: e.ip, node: 'node-a' })) });
    const table = compileNodeTable(mode, 'node-a', [sp], DEFAULT_COSTS, { state: new NodeProxyState() });
    const random = mulberry32(7);
    const first = table.connect(30080, 1, 0, random);
    for (let t = 1; t <= 9; t++) expect(table.connect(30080, 1, t * 1e9, random)).toBe(first);
    const later = new Set<number>();
    for (let i = 0; i < 50; i++) later.add(table.connect(30080, 100 + i, 0, random));
    expect(later.size).toBeGreaterThan(1);
  });
});

describe('IPVS schedulers', () => {
  const table = (scheduler: 'rr' | 'lc' | 'sh' | 'nq') => new IpvsTable('node-a', [four], DEFAULT_COSTS, { ipvsScheduler: scheduler, nodeIP: '192.168.1.10' });
  const noRandom = (): number => {
    throw new Error('IPVS draws no random numbers');
  };
  const keys = four.endpoints.map((e) => e.key);
  /**
   * The kernel's destination list on node-a, head first, as endpoint indexes: kube-proxy adds the
   * real servers in its (map) order and __ip_vs_update_dest links each at the head, so the list
   * is that order reversed.
   */
  const kernelList = addOrder('node-a', keys).reverse().map((k) => keys.indexOf(k));

  it('rr walks the kernel\'s destination list from its head, the last real server added first', () => {
    const t = table('rr');
    const expected = Array.from({ length: 9 }, (_, i) => kernelList[i % 4]);
    expect(Array.from({ length: 9 }, (_, i) => t.connect(30080, i, 0, noRandom))).toEqual(expected);
  });

  it('lc picks the real server with the fewest active connections, the first in list order on ties', () => {
    const t = table('lc');
    for (let i = 0; i < 4; i++) expect(t.connect(30080, i, 0, noRandom)).toBe(kernelList[i]);
    t.release(30080, 2);
    expect(t.connect(30080, 9, 0, noRandom)).toBe(2);
    t.release(30080, 1);
    t.release(30080, 3);
    const firstOf13 = kernelList.find((e) => e === 1 || e === 3);
    expect(t.connect(30080, 9, 0, noRandom)).toBe(firstOf13);
    expect(t.activeConnections(30080, firstOf13 as number)).toBe(1);
  });

  it('lc weighs an active connection as 256 inactive ones: (activeconns << 8) + inactconns', () => {
    const t = table('lc');
    for (let i = 0; i < 4; i++) t.connect(30080, i, 0, noRandom);
    // Every server has 1 active connection (overhead 256) but the second in the list, whose
    // connection closes; it then takes every new one while its closed ones number under 256.
    const b = kernelList[1];
    t.release(30080, b, 0);
    for (let k = 1; k < 256; k++) {
      expect(t.connect(30080, k, k, noRandom), `after ${k} inactive`).toBe(b);
      t.release(30080, b, k);
    }
    // 256 inactive against 1 active: a tie, and the head of the list wins it.
    expect(t.connect(30080, 0, 300, noRandom)).toBe(kernelList[0]);
  });

  it('lc forgets an inactive connection once its IPVS timeout (120 s) has passed', () => {
    const t = table('lc');
    for (let i = 0; i < 4; i++) t.connect(30080, i, 0, noRandom);
    const [first, second] = kernelList;
    t.release(30080, first, 0);
    t.release(30080, second);
    // first: 0 active + 1 inactive; second: 0 + 0.
    expect(t.connect(30080, 0, 119e9, noRandom)).toBe(second);
    t.release(30080, second);
    expect(t.connect(30080, 0, 120e9, noRandom)).toBe(first);
  });

  it('sh sends a client to the same real server every time', () => {
    const t = table('sh');
    for (let c = 0; c < 20; c++) {
      const first = t.connect(30080, 0x0a000000 + c * 7919, 0, noRandom);
      for (let k = 0; k < 5; k++) expect(t.connect(30080, 0x0a000000 + c * 7919, 0, noRandom)).toBe(first);
    }
  });

  it('sh deals its 256 buckets over the list in list order', () => {
    const t = table('sh');
    for (let c = 0; c < 50; c++) expect(t.connect(30080, c * 104_729, 0, noRandom)).toBe(kernelList[shBucket(c * 104_729) % 4]);
  });

  it('nq prefers an idle real server, in list order', () => {
    const t = table('nq');
    expect([0, 1, 2].map((c) => t.connect(30080, c, 0, noRandom))).toEqual(kernelList.slice(0, 3));
    t.release(30080, kernelList[0]);
    expect(t.connect(30080, 9, 0, noRandom)).toBe(kernelList[0]);
  });

  it('keeps scheduler state per node across recompiles when given the node state', () => {
    const state = new NodeProxyState();
    const a = new IpvsTable('node-a', [four], DEFAULT_COSTS, { state });
    a.connect(30080, 1, 0, noRandom);
    const b = new IpvsTable('node-a', [four], DEFAULT_COSTS, { state });
    expect(b.connect(30080, 1, 0, noRandom)).toBe(kernelList[1]);
  });

  it('gives nodes different list orders for the same real servers, so cold rr schedulers start apart', () => {
    const nodes = Array.from({ length: 8 }, (_, i) => `node-${i}`);
    const firsts = new Set(nodes.map((n) => new IpvsTable(n, [four], DEFAULT_COSTS).connect(30080, 1, 0, noRandom)));
    expect(firsts.size).toBeGreaterThan(1);
  });
});

describe('IPVS destination list across syncs (ip_vs_ctl.c, ip_vs_rr.c, ip_vs_wrr.c)', () => {
  it('links each new real server at the head, in add order, and keeps the rest in place', () => {
    const first = reconcileDestinations('n', [], -1, ['a', 'b'], 'keep');
    expect(first.list).toEqual(addOrder('n', ['a', 'b']).reverse());
    const next = reconcileDestinations('n', first.list, -1, ['a', 'b', 'c'], 'keep');
    expect(next.list).toEqual(['c', ...first.list]);
  });

  it('rr: new heads shift the cursor with its entry; a removed cursor entry moves it to the previous one', () => {
    expect(reconcileDestinations('n', ['x', 'y', 'z'], 1, ['x', 'y', 'z', 'w'], 'keep')).toEqual({ list: ['w', 'x', 'y', 'z'], cursor: 2 });
    expect(reconcileDestinations('n', ['x', 'y', 'z'], 1, ['x', 'z'], 'keep')).toEqual({ list: ['x', 'z'], cursor: 0 });
    expect(reconcileDestinations('n', ['x', 'y', 'z'], 0, ['y', 'z'], 'keep')).toEqual({ list: ['y', 'z'], cursor: -1 });
    expect(reconcileDestinations('n', ['x', 'y', 'z'], 2, ['x', 'y', 'z'], 'keep')).toEqual({ list: ['x', 'y', 'z'], cursor: 2 });
  });

  it('wrr: any change sends the cursor back to the list head; no change keeps it', () => {
    expect(reconcileDestinations('n', ['x', 'y', 'z'], 1, ['x', 'y'], 'reset').cursor).toBe(-1);
    expect(reconcileDestinations('n', ['x', 'y', 'z'], 1, ['x', 'y', 'z'], 'reset').cursor).toBe(1);
  });
});

describe('rules walked at scale', () => {
  it('is about 20,000 for a NodePort service among 10,000 (Tigera), within 18,000–22,000 on average', () => {
    const sps = syntheticServicePorts(10_000, 10, ['node-a', 'node-b', 'node-c']);
    const table = compileNodeTable('iptables', 'node-a', sps, DEFAULT_COSTS);
    const random = mulberry32(3);
    let sum = 0;
    const samples = 2_000;
    for (let i = 0; i < samples; i++) {
      table.connect(sps[Math.floor(random() * sps.length)].nodePort, 0xcb007101, i, random);
      sum += table.lastRulesWalked;
    }
    const mean = sum / samples;
    expect(mean).toBeGreaterThan(18_000);
    expect(mean).toBeLessThan(22_000);
  });

  it('stays flat for IPVS and nftables as services grow from 10 to 10,000', () => {
    for (const mode of ['ipvs', 'nftables'] as const) {
      const walked = [10, 10_000].map((n) => {
        const sps = syntheticServicePorts(n, 10, ['node-a']);
        const t = compileNodeTable(mode, 'node-a', sps, DEFAULT_COSTS);
        t.connect(sps[0].nodePort, 1, 0, mulberry32(1));
        return [t.lastRulesWalked, t.lastCostNs];
      });
      expect(walked[1]).toEqual(walked[0]);
    }
  });
});
