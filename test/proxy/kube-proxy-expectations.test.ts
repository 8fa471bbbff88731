// kube-proxy's own unit-test expectations for clients inside the cluster, checked against the
// compiled tables: the endpoints a packet can reach (every draw tried), whether it is
// masqueraded, and DROP / REJECT / no rule. The cases and addresses are those of
// pkg/proxy/iptables/proxier_test.go and pkg/proxy/nftables/proxier_test.go
// (TestInternalTrafficPolicy, TestOnlyLocalNodePorts, TestOnlyLocalNodePortsNoClusterCIDR,
// TestEnableLocalhostNodePortsIPv4, TestDisableLocalhostNodePortsIPv4). Our tables name a service
// port by its nodePort, so the ClusterIP-only services of TestInternalTrafficPolicy get one
// (30080); the ClusterIP rules kube-proxy writes do not depend on it.

import { describe, expect, it } from 'vitest';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { compileNodeTable } from '../../src/proxy/compile.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { IptablesTable } from '../../src/proxy/iptables.js';
import type { CompileOptions, Destination, NodeProxyTable, ProxyMode } from '../../src/proxy/types.js';
import { DEFAULT_COSTS, Verdict } from '../../src/proxy/types.js';
import { type EndpointSpec, servicePort } from './fixtures.js';

const TEST_NODE = 'test-node';
/** kube-proxy's fake proxiers' --cluster-cidr. */
const CLUSTER_CIDR = '10.0.0.0/8';
const NODE_IP = '192.168.0.2';

/** Every endpoint the packet can reach over many draws, or DROP / REJECT / NONE; and whether it is masqueraded. */
function flow(table: NodeProxyTable, nodePort: number, src: string, to: Destination): { output: string; masq: boolean } {
  const reached = new Set<string>();
  let masq = false;
  let verdict = '';
  for (let i = 0; i < 64; i++) {
    const r = table.connect(nodePort, ipv4ToUint32(src), 0, () => (i + 0.5) / 64, 40_000 + i, to);
    if (r >= 0) {
      reached.add(table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[r].key);
      masq ||= table.lastMasquerade;
      table.release(nodePort, r, undefined, to);
    } else verdict = r === Verdict.Drop ? 'DROP' : r === Verdict.Reject ? 'REJECT' : 'NONE';
  }
  return { output: reached.size > 0 ? [...reached].sort().join(', ') : verdict, masq };
}

describe('TestInternalTrafficPolicy (iptables and nftables proxier_test.go): pod 10.0.0.2 to ClusterIP 172.30.1.1:80', () => {
  const cases: { name: string; policy: 'Cluster' | 'Local'; endpoints: EndpointSpec[]; output: string; ipvs?: string }[] = [
    {
      name: 'internalTrafficPolicy is cluster: all endpoints',
      policy: 'Cluster',
      endpoints: [{ ip: '10.0.1.1', node: TEST_NODE }, { ip: '10.0.1.2', node: 'node1' }, { ip: '10.0.1.3', node: 'node2' }],
      output: '10.0.1.1:80, 10.0.1.2:80, 10.0.1.3:80',
    },
    {
      name: 'internalTrafficPolicy is local and there is one local endpoint: only it',
      policy: 'Local',
      endpoints: [{ ip: '10.0.1.1', node: TEST_NODE }, { ip: '10.0.1.2', node: 'node1' }, { ip: '10.0.1.3', node: 'node2' }],
      output: '10.0.1.1:80',
    },
    {
      name: 'internalTrafficPolicy is local and there are multiple local endpoints: all local ones',
      policy: 'Local',
      endpoints: [{ ip: '10.0.1.1', node: TEST_NODE }, { ip: '10.0.1.2', node: TEST_NODE }, { ip: '10.0.1.3', node: 'node2' }],
      output: '10.0.1.1:80, 10.0.1.2:80',
    },
    {
      // IPVS's syncEndpoint: "Allow access from local PODs even if no local endpoints exist" (kubernetes#97081).
      name: 'internalTrafficPolicy is local and there are no local endpoints: DROP (IPVS: every endpoint)',
      policy: 'Local',
      endpoints: [{ ip: '10.0.1.1', node: 'node0' }, { ip: '10.0.1.2', node: 'node1' }, { ip: '10.0.1.3', node: 'node2' }],
      output: 'DROP',
      ipvs: '10.0.1.1:80, 10.0.1.2:80, 10.0.1.3:80',
    },
  ];
  for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
    for (const c of cases) {
      it(`${mode}: ${c.name}, not masqueraded; REJECT once the endpoints are deleted`, () => {
        const opts: CompileOptions = { podCIDR: CLUSTER_CIDR, nodeIP: NODE_IP };
        const sp = (endpoints: EndpointSpec[]) => servicePort({ ns: 'ns1', svc: 'svc1', portName: '', clusterIP: '172.30.1.1', nodePort: 30080, internalPolicy: c.policy, endpoints });
        const got = flow(compileNodeTable(mode, TEST_NODE, [sp(c.endpoints)], DEFAULT_COSTS, opts), 30080, '10.0.0.2', 'cluster-ip');
        expect(got.output).toBe(mode === 'ipvs' ? (c.ipvs ?? c.output) : c.output);
        expect(got.masq).toBe(false);
        const deleted = flow(compileNodeTable(mode, TEST_NODE, [sp([])], DEFAULT_COSTS, opts), 30080, '10.0.0.2', 'cluster-ip');
        expect(deleted.output).toBe('REJECT');
      });
    }
  }
});

describe('TestOnlyLocalNodePorts / TestOnlyLocalNodePortsNoClusterCIDR (iptables proxier_test.go): externalTrafficPolicy Local, nodePort 3001', () => {
  // 10.180.0.1 has no node name (not local); 10.180.2.1 is on the test node.
  const sp = servicePort({ ns: 'ns1', svc: 'svc1', portName: 'p80', clusterIP: '172.30.0.41', nodePort: 3001, policy: 'Local', endpoints: [{ ip: '10.180.0.1' }, { ip: '10.180.2.1', node: TEST_NODE }] });
  const both = '10.180.0.1:80, 10.180.2.1:80';

  for (const detector of [true, false]) {
    const table = new IptablesTable(TEST_NODE, [sp], DEFAULT_COSTS, { podCIDR: detector ? CLUSTER_CIDR : '', nodeIP: NODE_IP, localhostNodePorts: false });
    const what = detector ? 'with --cluster-cidr' : 'without a local detector';

    it(`${what}: pod to cluster IP hits both endpoints, unmasqueraded`, () => {
      expect(flow(table, 3001, '10.0.0.2', 'cluster-ip')).toEqual({ output: both, masq: false });
    });

    it(`${what}: external to NodePort hits only the local endpoint, unmasqueraded`, () => {
      expect(flow(table, 3001, '203.0.113.2', 'node-port')).toEqual({ output: '10.180.2.1:80', masq: false });
    });

    it(`${what}: pod to NodePort hits ${detector ? 'both endpoints ("pod traffic for … external destinations")' : 'only the local endpoint (treated as external)'}`, () => {
      expect(flow(table, 3001, '10.0.0.2', 'node-port')).toEqual({ output: detector ? both : '10.180.2.1:80', masq: false });
    });
  }

  it('the node itself to NodePort hits both endpoints, masqueraded ("masquerade LOCAL traffic", "route LOCAL traffic")', () => {
    const table = new IptablesTable(TEST_NODE, [sp], DEFAULT_COSTS, { podCIDR: CLUSTER_CIDR, nodeIP: NODE_IP });
    expect(flow(table, 3001, NODE_IP, 'node-port')).toEqual({ output: both, masq: true });
  });
});

describe('TestEnableLocalhostNodePortsIPv4 / TestDisableLocalhostNodePortsIPv4 (iptables proxier_test.go)', () => {
  // No local detector (NewNoOpLocalDetector); 10.244.0.1 is remote, 10.244.2.1 on the test node.
  const sp = servicePort({ ns: 'ns1', svc: 'svc1', portName: 'p80', clusterIP: '10.69.0.10', nodePort: 30001, policy: 'Local', endpoints: [{ ip: '10.244.0.1' }, { ip: '10.244.2.1', node: TEST_NODE }] });
  const table = (localhostNodePorts: boolean) => new IptablesTable(TEST_NODE, [sp], DEFAULT_COSTS, { podCIDR: '', nodeIP: NODE_IP, localhostNodePorts });

  it('enabled: the nodeports jump has no `! -d 127.0.0.0/8`, KUBE-FIREWALL blocks incoming localnet connections', () => {
    const rules = renderIptables(table(true).plan);
    expect(rules).toContain('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
    expect(rules).toContain('-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
  });

  it('disabled: the nodeports jump carries `! -d 127.0.0.0/8` and there is no KUBE-FIREWALL', () => {
    const rules = renderIptables(table(false).plan);
    expect(rules).toContain('-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS');
    expect(rules).not.toContain('KUBE-FIREWALL');
  });

  it('both write the LOCAL short-circuit of the external chain, then its jump to KUBE-SVL', () => {
    for (const enabled of [true, false]) {
      const rules = renderIptables(table(enabled).plan);
      const ext = rules.split('\n').filter((l) => l.startsWith('-A KUBE-EXT-XPGD46QRK7WJZT7O'));
      expect(ext).toEqual([
        '-A KUBE-EXT-XPGD46QRK7WJZT7O -m comment --comment "masquerade LOCAL traffic for ns1/svc1:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
        '-A KUBE-EXT-XPGD46QRK7WJZT7O -m comment --comment "route LOCAL traffic for ns1/svc1:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-XPGD46QRK7WJZT7O',
        '-A KUBE-EXT-XPGD46QRK7WJZT7O -j KUBE-SVL-XPGD46QRK7WJZT7O',
      ]);
    }
  });

  it('enabled: 127.0.0.1 to 127.0.0.1:30001 reaches both endpoints, masqueraded; disabled: nothing translates it', () => {
    expect(flow(table(true), 30001, '127.0.0.1', 'localhost-node-port')).toEqual({ output: '10.244.0.1:80, 10.244.2.1:80', masq: true });
    expect(flow(table(false), 30001, '127.0.0.1', 'localhost-node-port').output).toBe('NONE');
  });

  it('nftables and IPVS never translate 127.0.0.1:nodePort ("localhost NodePorts are not supported"; no loopback virtual server)', () => {
    for (const mode of ['nftables', 'ipvs'] as ProxyMode[]) {
      const t = compileNodeTable(mode, TEST_NODE, [sp], DEFAULT_COSTS, { podCIDR: '', nodeIP: NODE_IP });
      expect(flow(t, 30001, '127.0.0.1', 'localhost-node-port').output, mode).toBe('NONE');
    }
  });
});
