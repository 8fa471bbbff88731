// Packet-flow tables for traffic addressed to a LoadBalancer's IP, per mode, in the style of
// kube-proxy's TestLoadBalancer / TestOnlyLocalLoadBalancing / the source-range cases of
// TestOverallIPTablesRules' packet flows: a source inside loadBalancerSourceRanges reaches the
// endpoints, one outside is dropped, a Local node without endpoints drops (IPVS: the reply is
// lost, kubernetes#97081), and the same client at the nodePort is not subject to the ranges.

import { describe, expect, it } from 'vitest';
import { compileNodeTable } from '../../src/proxy/compile.js';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { DEFAULT_COSTS, type Destination, type NodeProxyTable, PROXY_MODES, type ProxyMode, Verdict } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';
import { mulberry32 } from '../support/seeded.js';

const INSIDE = '203.0.113.9';
const OUTSIDE = '198.51.100.9';
const ALL = ['10.244.1.1:80', '10.244.2.1:80'];

const sps = [
  servicePort({ ns: 'ns1', svc: 'ranged', clusterIP: '172.30.0.1', nodePort: 30001, loadBalancerIPs: ['5.6.7.1'], sourceRanges: ['203.0.113.0/25'], endpoints: [{ ip: '10.244.1.1', node: 'node-a' }, { ip: '10.244.2.1', node: 'node-b' }] }),
  servicePort({ ns: 'ns1', svc: 'open', clusterIP: '172.30.0.2', nodePort: 30002, loadBalancerIPs: ['5.6.7.2'], endpoints: [{ ip: '10.244.1.1', node: 'node-a' }, { ip: '10.244.2.1', node: 'node-b' }] }),
  servicePort({ ns: 'ns1', svc: 'local-elsewhere', clusterIP: '172.30.0.3', nodePort: 30003, policy: 'Local', loadBalancerIPs: ['5.6.7.3'], endpoints: [{ ip: '10.244.2.1', node: 'node-b' }] }),
];

interface Flow {
  readonly name: string;
  readonly src: string;
  readonly nodePort: number;
  readonly to: Destination;
  readonly expect: readonly string[] | 'DROP' | 'SOURCE-RANGE-DROP';
  readonly replyLost?: boolean;
}

const flows = (mode: ProxyMode): Flow[] => [
  { name: 'a source inside the ranges reaches every endpoint', src: INSIDE, nodePort: 30001, to: 'load-balancer-ip', expect: ALL },
  { name: 'a source outside the ranges is dropped', src: OUTSIDE, nodePort: 30001, to: 'load-balancer-ip', expect: 'SOURCE-RANGE-DROP' },
  { name: 'the same source at the nodePort is not subject to the ranges', src: OUTSIDE, nodePort: 30001, to: 'node-port', expect: ALL },
  { name: 'a service without ranges admits any source', src: OUTSIDE, nodePort: 30002, to: 'load-balancer-ip', expect: ALL },
  mode === 'ipvs'
    ? { name: 'Local without a local endpoint forwards to the remote pod, whose reply is lost', src: INSIDE, nodePort: 30003, to: 'load-balancer-ip', expect: ['10.244.2.1:80'], replyLost: true }
    : { name: 'Local without a local endpoint drops', src: INSIDE, nodePort: 30003, to: 'load-balancer-ip', expect: 'DROP' },
];

function run(table: NodeProxyTable, f: Flow, seed: number): string {
  const r = table.connect(f.nodePort, ipv4ToUint32(f.src), seed * 1e6, mulberry32(seed), 40_000 + seed, f.to);
  if (r === Verdict.Drop) return 'DROP';
  if (r === Verdict.SourceRangeDrop) return 'SOURCE-RANGE-DROP';
  if (r < 0) return `verdict ${r}`;
  return table.servicePorts[table.servicePortForNodePort(f.nodePort)].endpoints[r].key;
}

for (const mode of PROXY_MODES) {
  describe(`${mode}: packets to a load-balancer IP on node-a`, () => {
    it.each(flows(mode))('$name', (f) => {
      const table = compileNodeTable(mode, 'node-a', sps, DEFAULT_COSTS);
      const seen = new Set<string>();
      for (let seed = 1; seed <= 100; seed++) {
        const got = run(table, f, seed);
        const why = `${f.name}: got ${got}; walked ${table.explain().join(' → ')}`;
        if (typeof f.expect === 'string') expect(got, why).toBe(f.expect);
        else {
          expect(f.expect, why).toContain(got);
          expect(table.lastReplyLost, why).toBe(f.replyLost ?? false);
        }
        seen.add(got);
      }
      if (typeof f.expect !== 'string') expect([...seen].sort()).toEqual([...f.expect].sort());
    });
  });
}
