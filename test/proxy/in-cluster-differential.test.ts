// The compiled iptables table against a naive walk of the rules it renders, for the packets of
// clients inside the cluster: a pod or the node itself calling the node's nodePort, the ClusterIP
// (internalTrafficPolicy Cluster or Local), or 127.0.0.1:nodePort with and without
// --iptables-localhost-nodeports.

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

const NODES = ['node-a', 'node-b', 'node-c'];
const NODE_IP = '192.168.1.10';
const POD_CIDR = '10.244.0.0/16';

const endpointArb: fc.Arbitrary<EndpointSpec> = fc.record({
  ip: fc.constantFrom('10.244.0.1', '10.244.0.2', '10.244.1.1', '10.244.2.1', '10.244.2.2'),
  node: fc.constantFrom(...NODES),
  ready: fc.boolean(),
  serving: fc.boolean(),
  terminating: fc.boolean(),
});

const serviceArb = fc.record({
  external: fc.constantFrom('Cluster' as const, 'Local' as const),
  internal: fc.constantFrom('Cluster' as const, 'Local' as const),
  affinity: fc.constantFrom('None' as const, 'ClientIP' as const),
  endpoints: fc.array(endpointArb, { maxLength: 5 }),
});

const clusterArb = fc.array(serviceArb, { minLength: 1, maxLength: 5 }).map((svcs): ServicePortInfo[] =>
  svcs.map((s, i) =>
    servicePort({
      svc: `svc${i}`,
      clusterIP: `172.30.0.${i + 1}`,
      nodePort: 30_000 + i,
      policy: s.external,
      internalPolicy: s.internal,
      affinity: s.affinity,
      endpoints: s.endpoints,
    }),
  ),
);

/** A source and where its packet is addressed, as the walker sees it. */
interface Probe {
  readonly src: string;
  readonly srcLocal: boolean;
  readonly to: Destination;
}

const PROBES: readonly Probe[] = [
  { src: '10.244.0.9', srcLocal: false, to: 'node-port' }, // a pod on this node
  { src: '10.244.2.1', srcLocal: false, to: 'node-port' }, // a pod that is also an endpoint (hairpin)
  { src: NODE_IP, srcLocal: true, to: 'node-port' }, // a process on the node
  { src: '203.0.113.7', srcLocal: false, to: 'node-port' }, // an outside client
  { src: '10.244.1.9', srcLocal: false, to: 'cluster-ip' },
  { src: '10.244.0.1', srcLocal: false, to: 'cluster-ip' },
  { src: NODE_IP, srcLocal: true, to: 'cluster-ip' },
  { src: '127.0.0.1', srcLocal: true, to: 'localhost-node-port' },
];

const packetsArb = fc.array(
  fc.record({ service: fc.integer({ min: 0, max: 5 }), probe: fc.integer({ min: 0, max: PROBES.length - 1 }), dtMs: fc.integer({ min: 0, max: 1500 }), seed: fc.integer() }),
  { minLength: 1, maxLength: 20 },
);

function outcome(table: IptablesTable, nodePort: number, r: number): string {
  if (r === Verdict.Drop) return 'DROP';
  if (r === Verdict.Reject) return 'REJECT';
  if (r === Verdict.NoService) return 'NONE';
  return `DNAT ${table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[r].key}`;
}

describe('the compiled iptables table, for clients inside the cluster', () => {
  it('gives the verdict, rule count and masquerade a naive walk of its rendered rules gives, for every source and destination', () => {
    fc.assert(
      fc.property(clusterArb, fc.constantFrom(...NODES), fc.boolean(), fc.boolean(), packetsArb, (sps, node, detector, localhostNodePorts, packets) => {
        const options = { podCIDR: detector ? POD_CIDR : '', localhostNodePorts, nodeIP: NODE_IP, state: new NodeProxyState() };
        const table = new IptablesTable(node, sps, DEFAULT_COSTS, options);
        const walker = new NaiveWalker(renderIptables(table.plan));
        let now = 0;
        for (const pkt of packets) {
          now += pkt.dtMs * 1e6;
          const probe = PROBES[pkt.probe];
          const nodePort = 30_000 + pkt.service;
          const sp = sps[pkt.service];
          const u = mulberry32(pkt.seed)();
          const r = table.connect(nodePort, ipv4ToUint32(probe.src), now, () => u, 40_000, probe.to);
          const dst = probe.to === 'cluster-ip' ? (sp?.clusterIP ?? '172.30.9.9') : probe.to === 'localhost-node-port' ? '127.0.0.1' : NODE_IP;
          // A ClusterIP is on no interface in iptables mode: --dst-type LOCAL fails, and filter KUBE-SERVICES judges.
          const cip = probe.to === 'cluster-ip';
          const w = walker.walk(
            { src: probe.src, dst, dport: cip ? 80 : nodePort, srcLocal: probe.srcLocal, dstLocal: !cip },
            now,
            oneDrawRescaled(u),
            cip ? 'KUBE-SERVICES' : 'KUBE-EXTERNAL-SERVICES',
          );
          const got = `${outcome(table, nodePort, r)} rules=${table.lastRulesWalked} masq=${r >= 0 && table.lastMasquerade}`;
          const want = `${w.verdict === 'DNAT' ? `DNAT ${w.target}` : w.verdict} rules=${w.rules} masq=${w.verdict === 'DNAT' && w.masquerade}`;
          if (got !== want) {
            throw new Error(`${probe.to} of service ${pkt.service} from ${probe.src}: table ${got}, walker ${want}\ntable: ${table.explain().join(' → ')}\nwalker: ${w.chains.join(' → ')}`);
          }
        }
      }),
      { numRuns: 1500, seed: 20_261_130 },
    );
  });
});
