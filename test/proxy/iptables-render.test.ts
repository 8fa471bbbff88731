// Rendered iptables rules against lines quoted from kube-proxy's own test expectations
// (kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go, TestOverallIPTablesRules and
// TestExternalTrafficPolicyLocal), so chain-name hashing and rule text are checked against
// values computed by kube-proxy, not by the code under test.

import { describe, expect, it } from 'vitest';
import { iptablesEndpointChain, iptablesServiceChains, nftEndpointNameBase, nftServiceNameBase } from '../../src/proxy/chain-names.js';
import { planIptables } from '../../src/proxy/iptables-plan.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { printedProbability } from '../../src/proxy/probability.js';
import { resolveOptions } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';

// The services of TestOverallIPTablesRules that this model covers (no LoadBalancer IPs).
const sps = [
  servicePort({ ns: 'ns1', svc: 'svc1', clusterIP: '172.30.0.41', endpoints: [{ ip: '10.180.0.1' }] }),
  servicePort({
    ns: 'ns2',
    svc: 'svc2',
    clusterIP: '172.30.0.42',
    nodePort: 3001,
    policy: 'Local',
    externalIPs: ['192.168.99.22'],
    healthCheckNodePort: 30000,
    endpoints: [{ ip: '10.180.0.2' }],
  }),
  servicePort({ ns: 'ns3', svc: 'svc3', clusterIP: '172.30.0.43', nodePort: 3003, endpoints: [{ ip: '10.180.0.3' }] }),
  servicePort({
    ns: 'ns4',
    svc: 'svc4',
    clusterIP: '172.30.0.44',
    externalIPs: ['192.168.99.33'],
    endpoints: [{ ip: '10.180.0.4' }, { ip: '10.180.0.5', node: 'test-node' }],
  }),
  servicePort({ ns: 'ns5', svc: 'svc5', clusterIP: '172.30.0.45', nodePort: 3002, affinity: 'ClientIP', endpoints: [{ ip: '10.180.0.3' }] }),
  servicePort({ ns: 'ns6', svc: 'svc6', clusterIP: '172.30.0.46', endpoints: [] }),
];
// kube-proxy's tests use --cluster-cidr 10.0.0.0/8 and a fake iptables without --random-fully.
const text = renderIptables(planIptables('test-node', sps, resolveOptions({ podCIDR: '10.0.0.0/8' })), { randomFully: false });
const lines = new Set(text.split('\n'));

describe('chain names', () => {
  it('hash ns1/svc1:p80 tcp to the KUBE-SVC chain kube-proxy expects', () => {
    expect(iptablesServiceChains(sps[0]).svc).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(iptablesEndpointChain(sps[0], sps[0].endpoints[0])).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
  });

  it('hash the EXT, SVC and SEP chains of the other TestOverallIPTablesRules services as kube-proxy does', () => {
    expect(iptablesServiceChains(sps[1]).ext).toBe('KUBE-EXT-GNZBNJ2PO5MGZ6GT');
    expect(iptablesServiceChains(sps[2]).svc).toBe('KUBE-SVC-X27LE4BHSL4DOUIK');
    expect(iptablesServiceChains(sps[3]).svc).toBe('KUBE-SVC-4SW47YFZTEDKD3PK');
    expect(iptablesServiceChains(sps[4]).svc).toBe('KUBE-SVC-NUKIZ6OKUXPJNT4C');
    expect(sps[3].endpoints.map((e) => iptablesEndpointChain(sps[3], e))).toEqual(['KUBE-SEP-UKSFD7AGPMPPLUHC', 'KUBE-SEP-C6EBXVWJJZMIWKLZ']);
    expect(iptablesEndpointChain(sps[4], sps[4].endpoints[0])).toBe('KUBE-SEP-I77PXRDZVX7PMWMN');
    expect(iptablesEndpointChain(sps[2], sps[2].endpoints[0])).toBe('KUBE-SEP-OYPFS5VJICHGATKP');
  });

  it('name nftables chains as kube-proxy does (pkg/proxy/nftables README and proxier_test.go)', () => {
    expect(`service-${nftServiceNameBase(sps[0])}`).toBe('service-ULMVA6XW-ns1/svc1/tcp/p80');
    expect(`endpoint-${nftEndpointNameBase(sps[0], sps[0].endpoints[0])}`).toBe('endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  });
});

describe('rendered iptables-restore text', () => {
  const quoted = [
    // filter
    '-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT',
    '-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP',
    '-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP',
    '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    // nat
    '-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    '-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    '-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK',
    '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
    '-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT',
    '-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK',
    '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    '-A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ',
    '-A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK',
    '-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
    '-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ',
    '-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT',
    '-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE',
    '-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ',
    '-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80',
    '-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80',
    '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
    '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC',
    '-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ',
    '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN',
    '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN',
    '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
  ];
  it.each(quoted)('contains the line kube-proxy writes: %s', (line) => {
    expect(lines.has(line), `missing:\n${line}\nin:\n${text}`).toBe(true);
  });

  it('declares every chain it writes rules for, filter before nat, each table ending in COMMIT', () => {
    const declared = new Set([...lines].filter((l) => l.startsWith(':')).map((l) => l.slice(1).split(' ')[0]));
    for (const l of lines) if (l.startsWith('-A ')) expect(declared.has(l.split(' ')[1]), l).toBe(true);
    expect(text.indexOf('*filter')).toBeLessThan(text.indexOf('*nat'));
    expect(text.match(/^COMMIT$/gm)).toHaveLength(2);
  });

  it('writes no KUBE-SVL chain for a Local service without local endpoints, and one for a node with them', () => {
    expect(text).not.toContain('KUBE-SVL-GNZBNJ2PO5MGZ6GT');
    const local = renderIptables(planIptables('node1', [servicePort({ ...{ ns: 'ns1', svc: 'svc1', nodePort: 3001, policy: 'Local' }, endpoints: [{ ip: '10.180.0.1', node: 'node1' }, { ip: '10.180.2.1', node: 'node2' }] })], resolveOptions({ podCIDR: '10.0.0.0/8' })));
    // TestExternalTrafficPolicyLocal: the SVL chain holds only the local endpoint.
    expect(local).toContain('-A KUBE-EXT-XPGD46QRK7WJZT7O -j KUBE-SVL-XPGD46QRK7WJZT7O');
    expect(local).toContain('-A KUBE-SVL-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(local).toContain('-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(local).toContain('-A KUBE-SEP-ZX7GRIZKSNUQ3LAJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.2.1:80');
  });

  it('prints probabilities as Go formats %0.10f, rounding an exact tie to even', () => {
    expect(printedProbability(3)).toBe('0.3333333333');
    expect(printedProbability(2)).toBe('0.5000000000');
    expect(printedProbability(2048)).toBe('0.0004882812');
    expect(printedProbability(1024)).toBe('0.0009765625');
  });

  it('drops endpoint-rule comments above 1000 endpoints, as kube-proxy large-cluster mode does', () => {
    const eps = Array.from({ length: 1001 }, (_, i) => ({ ip: `10.181.${i >> 8}.${i & 255}` }));
    const big = renderIptables(planIptables('n', [servicePort({ nodePort: 3001, endpoints: eps })], resolveOptions({})));
    expect(big).toMatch(/^-A KUBE-SEP-\w+ -s 10\.181\.0\.0 -j KUBE-MARK-MASQ$/m);
    expect(big).toMatch(/^-A KUBE-SVC-XPGD46QRK7WJZT7O -m statistic --mode random --probability 0\.0009990010 -j KUBE-SEP-\w+$/m);
  });
});
