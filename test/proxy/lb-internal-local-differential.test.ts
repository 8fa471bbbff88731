// Where the load-balancer walk and the in-cluster walks meet: Services with load-balancer IPs and
// loadBalancerSourceRanges that ALSO carry internalTrafficPolicy Local (and either external
// policy), walked by the compiled iptables table and by a naive walk of the rules it renders, for
// every packet kind: outside clients to the load-balancer IP (inside and outside the ranges) and to
// the nodePort, pods and the node to the nodePort and the ClusterIP, and 127.0.0.1:nodePort.

import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { IptablesTable } from '../../src/proxy/iptables.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { NodeProxyState } from '../../src/proxy/node-state.js';
import type { ServicePortInfo } from '../../src/proxy/service-map.js';
import { DEFAULT_COSTS, type Destination, Verdict } from '../../src/proxy/types.js';
import { mulberry32 } from '../support/seeded.js';
import { type EndpointSpec, servicePort } from './fixtures.js';
import { NaiveWalker, oneDrawRescaled } from './naive-walker.js';

const NODES = ['node-a', 'node-b'];
const NODE_IP = '192.168.1.10';
const POD_CIDR = '10.244.0.0/16';
// The last range covers NODE_IP (allowFromNode); the third overlaps the first, so a source may match two KUBE-FW rules.
const RANGES = ['203.0.113.0/25', '198.51.100.0/24', '203.0.113.0/24', '192.168.0.0/16'];

const endpointArb: fc.Arbitrary<EndpointSpec> = fc.record({
  ip: fc.constantFrom('10.244.0.1', '10.244.0.2', '10.244.1.1', '10.244.1.2'),
  node: fc.constantFrom(...NODES),
  ready: fc.boolean(),
  serving: fc.boolean(),
  terminating: fc.boolean(),
});

const serviceArb = fc.record({
  external: fc.constantFrom('Cluster' as const, 'Local' as const),
  internal: fc.constantFrom('Cluster' as const, 'Local' as const),
  affinity: fc.constantFrom('None' as const, 'ClientIP' as const),
  lbIPs: fc.integer({ min: 0, max: 2 }),
  ranges: fc.subarray(RANGES),
  endpoints: fc.array(endpointArb, { maxLength: 4 }),
});

const clusterArb = fc.array(serviceArb, { minLength: 1, maxLength: 4 }).map((svcs): ServicePortInfo[] =>
  svcs.map((s, i) =>
    servicePort({
      svc: `svc${i}`,
      clusterIP: `172.30.0.${i + 1}`,
      nodePort: 30_000 + i,
      policy: s.external,
      internalPolicy: s.internal,
      affinity: s.affinity,
      loadBalancerIPs: Array.from({ length: s.lbIPs }, (_, k) => `5.6.${i}.${k + 1}`),
      sourceRanges: s.ranges,
      endpoints: s.endpoints,
    }),
  ),
);

interface Probe {
  readonly src: string;
  readonly srcLocal: boolean;
  readonly to: Destination;
}

const PROBES: readonly Probe[] = [
  { src: '203.0.113.7', srcLocal: false, to: 'load-balancer-ip' }, // inside the first range
  { src: '100.64.0.9', srcLocal: false, to: 'load-balancer-ip' }, // outside every range
  { src: '10.244.1.1', srcLocal: false, to: 'load-balancer-ip' }, // a pod address, and maybe an endpoint
  { src: '203.0.113.7', srcLocal: false, to: 'node-port' },
  { src: '10.244.0.9', srcLocal: false, to: 'node-port' },
  { src: NODE_IP, srcLocal: true, to: 'node-port' },
  { src: '10.244.1.9', srcLocal: false, to: 'cluster-ip' },
  { src: '10.244.0.1', srcLocal: false, to: 'cluster-ip' },
  { src: NODE_IP, srcLocal: true, to: 'cluster-ip' },
  { src: '127.0.0.1', srcLocal: true, to: 'localhost-node-port' },
];

const packetsArb = fc.array(
  fc.record({ service: fc.integer({ min: 0, max: 4 }), probe: fc.integer({ min: 0, max: PROBES.length - 1 }), dtMs: fc.integer({ min: 0, max: 1500 }), seed: fc.integer() }),
  { minLength: 1, maxLength: 20 },
);

function outcome(table: IptablesTable, nodePort: number, r: number): string {
  if (r === Verdict.Drop || r === Verdict.SourceRangeDrop) return 'DROP';
  if (r === Verdict.Reject) return 'REJECT';
  if (r === Verdict.NoService) return 'NONE';
  return `DNAT ${table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[r].key}`;
}

function destination(probe: Probe, sp: ServicePortInfo | undefined, nodePort: number): { dst: string; dport: number; dstLocal: boolean } {
  switch (probe.to) {
    case 'cluster-ip':
      return { dst: sp?.clusterIP ?? '172.30.9.9', dport: 80, dstLocal: false };
    case 'load-balancer-ip':
      return { dst: sp?.loadBalancerIPs?.[0] ?? '5.6.9.9', dport: 80, dstLocal: false };
    case 'localhost-node-port':
      return { dst: '127.0.0.1', dport: nodePort, dstLocal: true };
    case 'node-port':
      return { dst: NODE_IP, dport: nodePort, dstLocal: true };
  }
}

describe('a LoadBalancer Service with internalTrafficPolicy Local in the compiled iptables table', () => {
  it('gives the verdict, rule count and masquerade a naive walk of its rendered rules gives, for every packet kind', () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom(...NODES), fc.boolean(), fc.boolean(), fc.boolean(), packetsArb, (sps, node, detector, localhostNodePorts, masqueradeAll, packets) => {
        const options = { podCIDR: detector ? POD_CIDR : '', localhostNodePorts, masqueradeAll, nodeIP: NODE_IP, state: new NodeProxyState() };
        const table = new IptablesTable(node, sps, DEFAULT_COSTS, options);
        const walker = new NaiveWalker(renderIptables(table.plan));
        let now = 0;
        for (const pkt of packets) {
          now += pkt.dtMs * 1e6;
          const probe = PROBES[pkt.probe];
          const nodePort = 30_000 + pkt.service;
          const sp = sps[pkt.service];
          // The load-balancer walk is addressed by the service port's first load-balancer IP: a port without one has no such packet.
          if (probe.to === 'load-balancer-ip' && sp?.loadBalancerIPs?.[0] === undefined) continue;
          const u = mulberry32(pkt.seed)();
          const r = table.connect(nodePort, ipv4ToUint32(probe.src), now, () => u, 40_000, probe.to);
          const d = destination(probe, sp, nodePort);
          const w = walker.walk({ src: probe.src, srcLocal: probe.srcLocal, ...d }, now, oneDrawRescaled(u), probe.to === 'cluster-ip' ? 'KUBE-SERVICES' : 'KUBE-EXTERNAL-SERVICES');
          const got = `${outcome(table, nodePort, r)} rules=${table.lastRulesWalked} masq=${r >= 0 && table.lastMasquerade}`;
          const want = `${w.verdict === 'DNAT' ? `DNAT ${w.target}` : w.verdict} rules=${w.rules} masq=${w.verdict === 'DNAT' && w.masquerade}`;
          if (got !== want) {
            throw new Error(`${probe.to} of service ${pkt.service} from ${probe.src}: table ${got}, walker ${want}\ntable: ${table.explain().join(' → ')}\nwalker: ${w.chains.join(' → ')}`);
          }
          // A translated packet: explain() names the nat chains the walker entered, in order.
          const natChains = table.explain().filter((c) => c.startsWith('nat ')).map((c) => c.slice(4).split(' ')[0]);
          if (w.verdict === 'DNAT' && natChains.join(' ') !== w.chains.join(' ')) {
            throw new Error(`${probe.to} of service ${pkt.service} from ${probe.src}: explain ${natChains.join(' → ')}, walker ${w.chains.join(' → ')}`);
          }
        }
      }),
      { numRuns: 1500, seed: 20_261_130 },
    );
  });
});
