// Packet-flow tables per proxy mode, in the style of kube-proxy's runPacketFlowTests: a client
// connects to NodeIP:nodePort and lands on one of a set of endpoints, or is dropped/rejected.

import { describe, expect, it } from 'vitest';
import { compileNodeTable } from '../../src/proxy/compile.js';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { DEFAULT_COSTS, type NodeProxyTable, type ProxyMode, Verdict } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';
import { mulberry32 } from '../support/seeded.js';

const EXTERNAL = '203.0.113.9';
const POD = '10.244.3.3';

// node-a holds 10.244.1.1; node-b holds 10.244.2.1 and 10.244.2.2.
const sps = [
  servicePort({ ns: 'ns1', svc: 'cluster', clusterIP: '172.30.0.1', nodePort: 30001, endpoints: [{ ip: '10.244.1.1', node: 'node-a' }, { ip: '10.244.2.1', node: 'node-b' }, { ip: '10.244.2.2', node: 'node-b' }] }),
  servicePort({ ns: 'ns1', svc: 'local', clusterIP: '172.30.0.2', nodePort: 30002, policy: 'Local', endpoints: [{ ip: '10.244.1.1', node: 'node-a' }, { ip: '10.244.2.1', node: 'node-b' }, { ip: '10.244.2.2', node: 'node-b' }] }),
  servicePort({ ns: 'ns1', svc: 'local-elsewhere', clusterIP: '172.30.0.3', nodePort: 30003, policy: 'Local', endpoints: [{ ip: '10.244.2.1', node: 'node-b' }] }),
  servicePort({ ns: 'ns1', svc: 'empty', clusterIP: '172.30.0.4', nodePort: 30004, endpoints: [] }),
  servicePort({ ns: 'ns1', svc: 'terminating', clusterIP: '172.30.0.5', nodePort: 30005, endpoints: [{ ip: '10.244.1.7', node: 'node-a', ready: false, serving: true, terminating: true }, { ip: '10.244.2.7', node: 'node-b', ready: false, serving: false, terminating: true }] }),
];

type Expect = readonly string[] | 'DROP' | 'REJECT' | 'NONE';
interface Flow {
  readonly name: string;
  readonly src: string;
  readonly dst: string;
  readonly expect: Expect;
  readonly masquerade: boolean;
  readonly replyLost?: boolean;
}

const common: Flow[] = [
  { name: 'Cluster policy reaches every endpoint, masqueraded', src: EXTERNAL, dst: 'node-a:30001', expect: ['10.244.1.1:80', '10.244.2.1:80', '10.244.2.2:80'], masquerade: true },
  { name: 'Local policy reaches only the local endpoint, client IP kept', src: EXTERNAL, dst: 'node-a:30002', expect: ['10.244.1.1:80'], masquerade: false },
  { name: 'Local policy on a node with two local endpoints uses both', src: EXTERNAL, dst: 'node-b:30002', expect: ['10.244.2.1:80', '10.244.2.2:80'], masquerade: false },
  { name: 'a service without endpoints is rejected', src: EXTERNAL, dst: 'node-a:30004', expect: 'REJECT', masquerade: false },
  { name: 'serving terminating endpoints are used when none is ready', src: EXTERNAL, dst: 'node-a:30005', expect: ['10.244.1.7:80'], masquerade: true },
  { name: 'an unused port reaches no rule', src: EXTERNAL, dst: 'node-a:30999', expect: 'NONE', masquerade: false },
];

const flows: Record<ProxyMode, Flow[]> = {
  iptables: [
    ...common,
    { name: 'Local policy without a local endpoint drops external traffic', src: EXTERNAL, dst: 'node-a:30003', expect: 'DROP', masquerade: false },
    { name: 'pod traffic to a Local NodePort short-circuits to all endpoints', src: POD, dst: 'node-a:30003', expect: ['10.244.2.1:80'], masquerade: false },
  ],
  nftables: [
    ...common,
    { name: 'Local policy without a local endpoint drops external traffic', src: EXTERNAL, dst: 'node-a:30003', expect: 'DROP', masquerade: false },
    { name: 'pod traffic to a Local NodePort short-circuits to all endpoints', src: POD, dst: 'node-a:30003', expect: ['10.244.2.1:80'], masquerade: false },
  ],
  ipvs: [
    ...common,
    { name: 'Local policy without a local endpoint forwards to remote pods unmasqueraded, so the reply is lost', src: EXTERNAL, dst: 'node-a:30003', expect: ['10.244.2.1:80'], masquerade: false, replyLost: true },
  ],
};

function run(table: NodeProxyTable, f: Flow, seed: number): string {
  const port = Number(f.dst.split(':')[1]);
  const r = table.connect(port, ipv4ToUint32(f.src), seed * 1e6, mulberry32(seed));
  if (r === Verdict.Drop) return 'DROP';
  if (r === Verdict.Reject) return 'REJECT';
  if (r === Verdict.NoService) return 'NONE';
  return table.servicePorts[table.servicePortForNodePort(port)].endpoints[r].key;
}

for (const mode of ['iptables', 'ipvs', 'nftables'] as const) {
  describe(`${mode} packet flows`, () => {
    it.each(flows[mode])('$name', (f) => {
      const node = f.dst.split(':')[0];
      const table = compileNodeTable(mode, node, sps, DEFAULT_COSTS);
      const seen = new Set<string>();
      for (let seed = 1; seed <= 200; seed++) {
        const got = run(table, f, seed);
        const why = `${f.name}: got ${got}; walked ${table.explain().join(' → ')}`;
        if (typeof f.expect === 'string') expect(got, why).toBe(f.expect);
        else {
          expect(f.expect, why).toContain(got);
          expect(table.lastMasquerade, why).toBe(f.masquerade);
          expect(table.lastReplyLost, why).toBe(f.replyLost ?? false);
        }
        seen.add(got);
      }
      if (typeof f.expect !== 'string') expect([...seen].sort()).toEqual([...f.expect].sort());
    });
  });
}
