// LoadBalancer IPs and loadBalancerSourceRanges rendered against kube-proxy's own expectations:
// the whole of TestOverallIPTablesRules (pkg/proxy/iptables/proxier_test.go), whose ns5/svc5 is a
// LoadBalancer with source range " 203.0.113.0/25"; the firewall elements of
// TestOverallNFTablesRules (pkg/proxy/nftables/proxier_test.go); the ipsets and virtual server of
// the IPVS TestLoadBalancerSourceRanges (pkg/proxy/ipvs/proxier_test.go).

import { describe, expect, it } from 'vitest';
import { buildServicePorts } from '../../src/proxy/service-map.js';
import { planIptables } from '../../src/proxy/iptables-plan.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { renderNftables } from '../../src/proxy/nftables-render.js';
import { ipvsIpsets, ipvsServices } from '../../src/proxy/ipvs-node.js';
import { IpvsTable } from '../../src/proxy/ipvs.js';
import { DEFAULT_COSTS, resolveOptions } from '../../src/proxy/types.js';
import type { Cluster } from '../../src/cluster/model.js';
import { servicePort } from './fixtures.js';

// TestOverallIPTablesRules' services; testNodeIP is 192.168.0.2 there (not in 203.0.113.0/25).
const sps = [
  servicePort({ ns: 'ns1', svc: 'svc1', clusterIP: '172.30.0.41', endpoints: [{ ip: '10.180.0.1' }] }),
  servicePort({
    ns: 'ns2',
    svc: 'svc2',
    clusterIP: '172.30.0.42',
    nodePort: 3001,
    policy: 'Local',
    externalIPs: ['192.168.99.22'],
    loadBalancerIPs: ['1.2.3.4'],
    healthCheckNodePort: 30000,
    endpoints: [{ ip: '10.180.0.2' }],
  }),
  servicePort({ ns: 'ns3', svc: 'svc3', clusterIP: '172.30.0.43', nodePort: 3003, endpoints: [{ ip: '10.180.0.3' }] }),
  servicePort({ ns: 'ns4', svc: 'svc4', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'], endpoints: [{ ip: '10.180.0.4' }, { ip: '10.180.0.5', node: 'test-node' }] }),
  // Cluster policy, so kube-proxy keeps no healthCheckNodePort for it (NeedsHealthCheck is Local only).
  servicePort({ ns: 'ns5', svc: 'svc5', clusterIP: '172.30.0.45', nodePort: 3002, affinity: 'ClientIP', loadBalancerIPs: ['5.6.7.8'], sourceRanges: ['203.0.113.0/25'], endpoints: [{ ip: '10.180.0.3' }] }),
  servicePort({ ns: 'ns6', svc: 'svc6', clusterIP: '172.30.0.46', endpoints: [] }),
];
const options = resolveOptions({ podCIDR: '10.0.0.0/8', nodeIP: '192.168.0.2' });

// The expected text of TestOverallIPTablesRules, verbatim (kube-proxy sorts it with sortIPTablesRules).
const EXPECTED = `*filter
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
-A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
-A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
COMMIT
*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
:KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
:KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
:KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
:KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
:KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
:KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
:KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
:KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
:KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
:KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
:KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
:KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
:KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3001 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3003 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp -d 127.0.0.0/8 --dport 3002 -m nfacct --nfacct-name localhost_nps_accepted_pkts -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
-A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
-A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
-A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
-A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
-A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
-A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
-A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
COMMIT
`;

/** Per table, its lines sorted: kube-proxy's test compares after sorting, and writes in Go map order. */
function byTable(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) out[(table = line.slice(1))] = [];
    else if (line !== '' && line !== 'COMMIT') out[table].push(line);
  }
  for (const t of Object.keys(out)) out[t].sort();
  return out;
}

describe('a LoadBalancer service with loadBalancerSourceRanges, rendered', () => {
  it('gives exactly the iptables-restore lines of kube-proxy TestOverallIPTablesRules, table by table', () => {
    const text = renderIptables(planIptables('test-node', sps, options), { randomFully: false });
    expect(byTable(text)).toEqual(byTable(EXPECTED));
  });

  it('trims and reads the source range " 203.0.113.0/25" as kube-proxy does (MapCIDRsByIPFamily)', () => {
    const cluster: Cluster = {
      nodes: [],
      pods: [],
      deployments: [],
      endpointSlices: [],
      services: [
        {
          namespace: 'ns5',
          name: 'svc5',
          type: 'LoadBalancer',
          clusterIP: '172.30.0.45',
          selector: null,
          ports: [{ name: 'p80', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 3002 }],
          externalTrafficPolicy: 'Cluster',
          sessionAffinity: 'None',
          sessionAffinityTimeoutS: 10_800,
          externalIPs: [],
          loadBalancerIngress: [{ ip: '5.6.7.8' }],
          // A host part and an IPv6 range too: the network is kept, the other family dropped.
          loadBalancerSourceRanges: [' 203.0.113.0/25', '198.51.100.7/24', '2001:db8::/32'],
        },
      ],
    };
    const [sp] = buildServicePorts(cluster);
    expect(sp.loadBalancerIPs).toEqual(['5.6.7.8']);
    expect(sp.loadBalancerSourceRanges).toEqual(['203.0.113.0/25', '198.51.100.0/24']);
  });

  it('writes the firewall-ips element and firewall chain of kube-proxy TestOverallNFTablesRules', () => {
    const text = renderNftables(planIptables('test-node', sps, options));
    // "add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 : goto firewall-HVFWP5L3-ns5/svc5/tcp/p80 }"
    expect(text).toMatch(/map firewall-ips \{[^}]*elements = \{ 5\.6\.7\.8 \. tcp \. 80 : goto firewall-HVFWP5L3-ns5\/svc5\/tcp\/p80 \}/);
    // "add rule ip kube-proxy firewall-HVFWP5L3-ns5/svc5/tcp/p80 ip saddr != { 203.0.113.0/25 } drop"
    expect(text).toContain('\tchain firewall-HVFWP5L3-ns5/svc5/tcp/p80 {\n\t\tip saddr != { 203.0.113.0/25 } drop\n\t}');
    // "add element ip kube-proxy service-ips { 5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80 }"
    expect(text).toContain('5.6.7.8 . tcp . 80 : goto external-HVFWP5L3-ns5/svc5/tcp/p80');
  });

  it('fills the IPVS load-balancer ipsets and virtual server of kube-proxy TestLoadBalancerSourceRanges', () => {
    const sp = servicePort({ ns: 'ns1', svc: 'svc1', clusterIP: '10.20.30.41', loadBalancerIPs: ['1.2.3.4'], sourceRanges: ['10.0.0.0/8'], endpoints: [{ ip: '10.180.0.1' }] });
    const table = new IpvsTable('test-node', [sp], DEFAULT_COSTS);
    const sets = Object.fromEntries(ipvsIpsets(table).map((s) => [s.name, s.entries]));
    expect(sets['KUBE-LOAD-BALANCER']).toEqual(['1.2.3.4,tcp:80']);
    expect(sets['KUBE-LOAD-BALANCER-FW']).toEqual(['1.2.3.4,tcp:80']);
    expect(sets['KUBE-LOAD-BALANCER-SOURCE-CIDR']).toEqual(['1.2.3.4,tcp:80,10.0.0.0/8']);
    expect(sets['KUBE-LOAD-BALANCER-LOCAL']).toEqual([]);
    // "VSNum: 2, IP: svcLBIP": the ClusterIP's and the load-balancer IP's, one real server each.
    expect(ipvsServices(table).map((v) => `${v.address} ${v.realServers.join(',')}`)).toEqual(['10.20.30.41:80 10.180.0.1:80', '1.2.3.4:80 10.180.0.1:80']);
  });

  it("puts a Local service's load-balancer IP in KUBE-LOAD-BALANCER-LOCAL (TestOnlyLocalLoadBalancing)", () => {
    const sp = servicePort({ ns: 'ns1', svc: 'svc1', clusterIP: '10.20.30.41', nodePort: 3001, policy: 'Local', loadBalancerIPs: ['1.2.3.4'], endpoints: [{ ip: '10.180.0.1', node: 'test-node' }, { ip: '10.180.1.1', node: 'other-hostname' }] });
    const table = new IpvsTable('test-node', [sp], DEFAULT_COSTS);
    const sets = Object.fromEntries(ipvsIpsets(table).map((s) => [s.name, s.entries]));
    expect(sets['KUBE-LOAD-BALANCER-LOCAL']).toEqual(['1.2.3.4,tcp:80']);
    // Only the local endpoint is a real server of the load-balancer IP's virtual server.
    expect(ipvsServices(table).find((v) => v.address === '1.2.3.4:80')?.realServers).toEqual(['10.180.0.1:80']);
  });
});
