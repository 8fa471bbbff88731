// Endpoint choice statistics per mode, IPVS scheduler behaviour, and rule-walk scale.

import { describe, expect, it } from 'vitest';
import { compileNodeTable } from '../../src/proxy/compile.js';
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

  it('rr cycles through the real servers exactly, in order', () => {
    const t = table('rr');
    expect(Array.from({ length: 9 }, (_, i) => t.connect(30080, i, 0, noRandom))).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0]);
  });

  it('lc picks the real server with the fewest active connections', () => {
    const t = table('lc');
    for (let i = 0; i < 4; i++) t.connect(30080, i, 0, noRandom);
    t.release(30080, 2);
    expect(t.connect(30080, 9, 0, noRandom)).toBe(2);
    t.release(30080, 1);
    t.release(30080, 3);
    expect(t.connect(30080, 9, 0, noRandom)).toBe(1);
    expect(t.activeConnections(30080, 1)).toBe(1);
  });

  it('sh sends a client to the same real server every time', () => {
    const t = table('sh');
    for (let c = 0; c < 20; c++) {
      const first = t.connect(30080, 0x0a000000 + c * 7919, 0, noRandom);
      for (let k = 0; k < 5; k++) expect(t.connect(30080, 0x0a000000 + c * 7919, 0, noRandom)).toBe(first);
    }
  });

  it('nq prefers an idle real server', () => {
    const t = table('nq');
    expect([0, 1, 2].map((c) => t.connect(30080, c, 0, noRandom))).toEqual([0, 1, 2]);
    t.release(30080, 0);
    expect(t.connect(30080, 9, 0, noRandom)).toBe(0);
  });

  it('keeps scheduler state per node across recompiles when given the node state', () => {
    const state = new NodeProxyState();
    const a = new IpvsTable('node-a', [four], DEFAULT_COSTS, { state });
    a.connect(30080, 1, 0, noRandom);
    const b = new IpvsTable('node-a', [four], DEFAULT_COSTS, { state });
    expect(b.connect(30080, 1, 0, noRandom)).toBe(1);
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
