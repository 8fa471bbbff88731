// The compiled iptables table against a naive interpreter of the rules it renders.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IptablesTable } from '../../src/proxy/iptables.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { NodeProxyState } from '../../src/proxy/node-state.js';
import { cascadePick } from '../../src/proxy/probability.js';
import type { ServicePortInfo } from '../../src/proxy/service-map.js';
import { DEFAULT_COSTS, Verdict } from '../../src/proxy/types.js';
import { servicePort, type EndpointSpec } from './fixtures.js';
import { NaiveWalker, oneDrawRescaled, perRuleDraws } from './naive-walker.js';
import { mulberry32 } from '../support/seeded.js';

const NODES = ['node-a', 'node-b', 'node-c'];
const NODE_IP = '192.168.1.10';
const POD_CIDR = '10.244.0.0/16';

const endpointArb: fc.Arbitrary<EndpointSpec> = fc.record({
  ip: fc.constantFrom('10.244.0.1', '10.244.0.2', '10.244.1.1', '10.244.1.2', '10.244.2.1', '10.244.2.2', '10.244.2.3'),
  port: fc.constantFrom(80, 8080),
  node: fc.constantFrom(...NODES),
  ready: fc.boolean(),
  serving: fc.boolean(),
  terminating: fc.boolean(),
});

const serviceArb = fc.record({
  ns: fc.constantFrom('ns1', 'ns2', 'default'),
  ports: fc.integer({ min: 1, max: 2 }),
  udp: fc.boolean(),
  policy: fc.constantFrom('Cluster' as const, 'Local' as const),
  affinity: fc.constantFrom('None' as const, 'ClientIP' as const),
  affinityTimeoutS: fc.constantFrom(1, 10_800),
  externalIP: fc.boolean(),
  withNodePort: fc.integer({ min: 0, max: 4 }),
  endpoints: fc.array(endpointArb, { maxLength: 6 }),
});

const clusterArb = fc.array(serviceArb, { minLength: 1, maxLength: 6 }).map((svcs): ServicePortInfo[] => {
  const out: ServicePortInfo[] = [];
  let nodePort = 30_000;
  svcs.forEach((s, i) => {
    for (let k = 0; k < s.ports; k++) {
      out.push(
        servicePort({
          ns: s.ns,
          svc: `svc${i}`,
          portName: s.ports === 1 ? '' : `p${80 + k}`,
          protocol: s.udp && k === 1 ? 'UDP' : 'TCP',
          clusterIP: `172.30.${i}.${k + 1}`,
          port: 80 + k,
          nodePort: s.withNodePort > 0 ? nodePort++ : 0,
          externalIPs: s.externalIP ? [`192.168.99.${i}`] : [],
          policy: s.policy,
          affinity: s.affinity,
          affinityTimeoutS: s.affinityTimeoutS,
          endpoints: s.endpoints.map((e) => ({ ...e, port: e.port === 80 ? 80 + k : e.port })),
        }),
      );
    }
  });
  return out;
});

const CLIENTS = ['203.0.113.7', '203.0.113.8', '198.51.100.1', '10.244.1.1', '10.244.2.2', '10.244.9.9'];

const packetsArb = fc.array(
  fc.record({
    port: fc.integer({ min: 29_999, max: 30_012 }),
    client: fc.integer({ min: 0, max: CLIENTS.length - 1 }),
    dtMs: fc.integer({ min: 0, max: 1500 }),
    seed: fc.integer(),
  }),
  { minLength: 1, maxLength: 25 },
);

function expectedOf(table: IptablesTable, nodePort: number, r: number): string {
  if (r === Verdict.Drop) return 'DROP';
  if (r === Verdict.Reject) return 'REJECT';
  if (r === Verdict.NoService) return 'NONE';
  return `DNAT ${table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[r].key}`;
}

describe('the compiled iptables table', () => {
  it('picks the same endpoint or verdict and counts the same rules as a naive walk of its rendered rules', () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom(...NODES), fc.boolean(), fc.boolean(), packetsArb, (sps, node, detector, localhostNodePorts, packets) => {
        const options = { podCIDR: detector ? POD_CIDR : '', localhostNodePorts, state: new NodeProxyState() };
        const table = new IptablesTable(node, sps, DEFAULT_COSTS, options);
        const walker = new NaiveWalker(renderIptables(table.plan));
        let now = 0;
        for (const pkt of packets) {
          now += pkt.dtMs * 1e6;
          const src = CLIENTS[pkt.client];
          // The table draws once per connection; the walker evaluates each statistic rule from that draw.
          const u = mulberry32(pkt.seed)();
          const r = table.connect(pkt.port, ipv4ToUint32(src), now, () => u);
          const w = walker.walk({ src, dst: NODE_IP, dport: pkt.port }, now, oneDrawRescaled(u));
          const got = `${expectedOf(table, pkt.port, r)} rules=${table.lastRulesWalked} masq=${table.lastMasquerade}`;
          const want = `${w.verdict === 'DNAT' ? `DNAT ${w.target}` : w.verdict} rules=${w.rules} masq=${w.verdict === 'DNAT' && w.masquerade}`;
          if (got !== want) {
            throw new Error(`port ${pkt.port} from ${src}: table ${got}, walker ${want}\ntable: ${table.explain().join(' → ')}\nwalker: ${w.chains.join(' → ')}`);
          }
        }
      }),
      { numRuns: 2000, seed: 20_261_126 },
    );
  });
});

describe('the naive walker', () => {
  it('reads the probabilities kube-proxy prints, so a three-endpoint service walks 1, 2 or 3 statistic rules', () => {
    const sp = servicePort({ nodePort: 30_080, endpoints: [{ ip: '10.244.0.1' }, { ip: '10.244.0.2' }, { ip: '10.244.0.3' }] });
    const table = new IptablesTable('node-a', [sp], DEFAULT_COSTS);
    const walker = new NaiveWalker(renderIptables(table.plan));
    const seen = new Set<number>();
    for (let s = 0; s < 200; s++) seen.add(walker.walk({ src: '203.0.113.1', dst: NODE_IP, dport: 30_080 }, 0, perRuleDraws(mulberry32(s))).rules);
    expect([...seen].sort()).toHaveLength(3);
  });

  it('gives each of 30 endpoints the same share with a draw per rule (the kernel) as the table with one draw (two-sample χ², p = 0.001)', () => {
    const endpoints = Array.from({ length: 30 }, (_, i) => ({ ip: `10.244.${Math.floor(i / 10)}.${(i % 10) + 1}` }));
    const sp = servicePort({ nodePort: 30_080, endpoints });
    const table = new IptablesTable('node-a', [sp], DEFAULT_COSTS);
    const walker = new NaiveWalker(renderIptables(table.plan));
    const n = 30_000;
    const kernel = new Map<string, number>();
    const compiled = new Map<string, number>();
    const kernelDraws = perRuleDraws(mulberry32(11));
    const tableDraws = mulberry32(12);
    for (let i = 0; i < n; i++) {
      const w = walker.walk({ src: '203.0.113.1', dst: NODE_IP, dport: 30_080 }, 0, kernelDraws);
      kernel.set(w.target, (kernel.get(w.target) ?? 0) + 1);
      const key = sp.endpoints[table.connect(30_080, 0xcb007101, 0, tableDraws)].key;
      compiled.set(key, (compiled.get(key) ?? 0) + 1);
    }
    // Equal sample sizes: χ² = Σ (a − b)² / (a + b), 29 degrees of freedom; 58.30 at p = 0.001.
    let chi2 = 0;
    for (const ep of sp.endpoints) {
      const a = kernel.get(ep.key) ?? 0;
      const b = compiled.get(ep.key) ?? 0;
      chi2 += (a - b) ** 2 / (a + b);
    }
    expect(kernel.size).toBe(30);
    expect(chi2).toBeLessThan(58.3);
  });
});

describe('the one-draw cascade', () => {
  /** The probabilities of a service's statistic rules, in rule order, as rendered for iptables-restore. */
  const printedProbabilities = (n: number): string[] => {
    const endpoints = Array.from({ length: n }, (_, i) => ({ ip: `10.244.${Math.floor(i / 200)}.${(i % 200) + 1}` }));
    const table = new IptablesTable('node-a', [servicePort({ nodePort: 30_080, endpoints })], DEFAULT_COSTS);
    return [...renderIptables(table.plan).matchAll(/^-A KUBE-SVC-\S+ .*--probability (\S+)/gm)].map((m) => m[1]);
  };

  it('switches from rule k to rule k+1 exactly where the kernel-rounded cascade has matched with probability Σ P(rule ≤ k)', () => {
    for (const n of [2, 3, 7, 30, 101]) {
      const printed = printedProbabilities(n);
      expect(printed).toHaveLength(n - 1);
      // Exact arithmetic: the kernel matches rule j when a 31-bit draw is below T_j = lround(p_j · 2^31),
      // so P(no match in rules 0..k) = Π (2^31 − T_j) / 2^31.
      const one = 2n ** 31n;
      let missNum = 1n;
      let missDen = 1n;
      printed.forEach((p, k) => {
        const t = BigInt(Math.round(Number.parseFloat(p) * 2 ** 31));
        missNum *= one - t;
        missDen *= one;
        const boundary = Number(((missDen - missNum) * 2n ** 60n) / missDen) / 2 ** 60;
        // 1e-13 is far below the 1e-10 that unrounded 1/(n−k) thresholds would move a boundary.
        expect(cascadePick(n, boundary - 1e-13), `n=${n} just below rule ${k}'s boundary`).toBe(k);
        expect(cascadePick(n, boundary + 1e-13), `n=${n} just above rule ${k}'s boundary`).toBe(k + 1);
      });
      expect(cascadePick(n, 0)).toBe(0);
      expect(cascadePick(n, 1 - 2 ** -53)).toBe(n - 1);
    }
  });
});

