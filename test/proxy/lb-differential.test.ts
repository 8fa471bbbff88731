// Packets to a load-balancer IP: the compiled iptables table against the naive walk of the rules
// it renders (KUBE-SERVICES' "loadbalancer IP" rules, KUBE-FW chains, then filter
// KUBE-PROXY-FIREWALL and KUBE-EXTERNAL-SERVICES), on random clusters with source ranges.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import { IptablesTable } from '../../src/proxy/iptables.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { NodeProxyState } from '../../src/proxy/node-state.js';
import type { ServicePortInfo } from '../../src/proxy/service-map.js';
import { DEFAULT_COSTS, Verdict } from '../../src/proxy/types.js';
import { type EndpointSpec, servicePort } from './fixtures.js';
import { NaiveWalker, oneDrawRescaled } from './naive-walker.js';
import { mulberry32 } from '../support/seeded.js';

const NODES = ['node-a', 'node-b'];
const NODE_IP = '192.168.1.10';
const RANGES = ['203.0.113.0/25', '198.51.100.0/24', '192.168.0.0/16'];
const CLIENTS = ['203.0.113.7', '203.0.113.200', '198.51.100.1', '100.64.0.9', '10.244.1.1'];

const endpointArb: fc.Arbitrary<EndpointSpec> = fc.record({
  ip: fc.constantFrom('10.244.0.1', '10.244.0.2', '10.244.1.1', '10.244.1.2'),
  node: fc.constantFrom(...NODES),
  ready: fc.boolean(),
  serving: fc.boolean(),
  terminating: fc.boolean(),
});

const serviceArb = fc.record({
  policy: fc.constantFrom('Cluster' as const, 'Local' as const),
  affinity: fc.constantFrom('None' as const, 'ClientIP' as const),
  externalIP: fc.boolean(),
  lbIPs: fc.integer({ min: 0, max: 2 }),
  // Subsets of RANGES, in order; the last covers NODE_IP (allowFromNode).
  ranges: fc.subarray(RANGES),
  endpoints: fc.array(endpointArb, { maxLength: 4 }),
});

const clusterArb = fc.array(serviceArb, { minLength: 1, maxLength: 5 }).map((svcs): ServicePortInfo[] =>
  svcs.map((s, i) =>
    servicePort({
      ns: 'ns1',
      svc: `svc${i}`,
      clusterIP: `172.30.0.${i + 1}`,
      nodePort: 30_000 + i,
      externalIPs: s.externalIP ? [`192.168.99.${i}`] : [],
      policy: s.policy,
      affinity: s.affinity,
      loadBalancerIPs: Array.from({ length: s.lbIPs }, (_, k) => `5.6.${i}.${k + 1}`),
      sourceRanges: s.ranges,
      endpoints: s.endpoints,
    }),
  ),
);

const packetsArb = fc.array(fc.record({ svc: fc.integer({ min: 0, max: 5 }), client: fc.integer({ min: 0, max: CLIENTS.length - 1 }), dtMs: fc.integer({ min: 0, max: 1500 }), seed: fc.integer() }), {
  minLength: 1,
  maxLength: 20,
});

function verdictOf(table: IptablesTable, nodePort: number, r: number): string {
  if (r === Verdict.Drop || r === Verdict.SourceRangeDrop) return 'DROP';
  if (r === Verdict.Reject) return 'REJECT';
  if (r === Verdict.NoService) return 'NONE';
  return `DNAT ${table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[r].key}`;
}

describe('load-balancer IP traffic in the compiled iptables table', () => {
  it('picks the same endpoint or verdict, and counts the same rules, as a naive walk of the rendered rules', () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom(...NODES), fc.boolean(), packetsArb, (sps, node, detector, packets) => {
        const options = { podCIDR: detector ? '10.244.0.0/16' : '', nodeIP: NODE_IP, state: new NodeProxyState() };
        const table = new IptablesTable(node, sps, DEFAULT_COSTS, options);
        const walker = new NaiveWalker(renderIptables(table.plan));
        let now = 0;
        for (const pkt of packets) {
          const sp = sps[pkt.svc % sps.length];
          const lbIP = sp.loadBalancerIPs?.[0];
          if (lbIP === undefined) continue;
          now += pkt.dtMs * 1e6;
          const src = CLIENTS[pkt.client];
          const u = mulberry32(pkt.seed)();
          const r = table.connect(sp.nodePort, ipv4ToUint32(src), now, () => u, 0, 'load-balancer-ip');
          const w = walker.walk({ src, dst: lbIP, dport: sp.port, dstLocal: false }, now, oneDrawRescaled(u));
          const got = `${verdictOf(table, sp.nodePort, r)} rules=${table.lastRulesWalked} masq=${table.lastMasquerade}`;
          const want = `${w.verdict === 'DNAT' ? `DNAT ${w.target}` : w.verdict} rules=${w.rules} masq=${w.verdict === 'DNAT' && w.masquerade}`;
          if (got !== want) {
            throw new Error(`${lbIP}:${sp.port} from ${src}: table ${got}, walker ${want}\ntable: ${table.explain().join(' → ')}\nwalker: ${w.chains.join(' → ')}`);
          }
        }
      }),
      { numRuns: 800, seed: 20_261_130 },
    );
  });
});
