// loadBalancerSourceRanges on a Service with no endpoints: kube-proxy's two netfilter modes part
// here. iptables' proxier.go gates the firewall on endpoints (`usesFWChain := hasEndpoints &&
// len(svcInfo.LoadBalancerVIPs()) > 0 && len(svcInfo.LoadBalancerSourceRanges()) > 0`), so the
// load-balancer IP's filter REJECT answers everyone; nftables' proxier.go does not
// (`usesFWChain := len(svcInfo.LoadBalancerVIPs()) > 0 && len(svcInfo.LoadBalancerSourceRanges()) > 0`)
// and writes the firewall-ips element and firewall chain whatever the endpoints, so filter-prerouting
// drops a source outside the ranges before service-endpoints-check could reject it.

import { describe, expect, it } from 'vitest';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { IptablesTable } from '../../src/proxy/iptables.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { NftablesTable } from '../../src/proxy/nftables.js';
import { renderNftables } from '../../src/proxy/nftables-render.js';
import { DEFAULT_COSTS, Verdict } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';

const options = { podCIDR: '10.0.0.0/8', nodeIP: '192.168.0.2' };
const sp = servicePort({ ns: 'ns5', svc: 'svc5', clusterIP: '172.30.0.45', nodePort: 3002, loadBalancerIPs: ['5.6.7.8'], sourceRanges: ['203.0.113.0/25'], endpoints: [] });
const inside = ipv4ToUint32('203.0.113.7');
const outside = ipv4ToUint32('100.64.0.9');

describe('loadBalancerSourceRanges on a Service without endpoints', () => {
  it('nftables: the firewall drops a source outside the ranges; one inside meets the reject', () => {
    const table = new NftablesTable('test-node', [sp], DEFAULT_COSTS, options);
    expect(table.connect(3002, outside, 0, () => 0.5, 0, 'load-balancer-ip')).toBe(Verdict.SourceRangeDrop);
    expect(table.connect(3002, inside, 0, () => 0.5, 0, 'load-balancer-ip')).toBe(Verdict.Reject);
    const text = renderNftables(table.plan);
    expect(text).toMatch(/map firewall-ips \{[^}]*elements = \{ 5\.6\.7\.8 \. tcp \. 80 : goto firewall-[^ ]*ns5\/svc5\/tcp\/p80 \}/);
    expect(text).toMatch(/chain firewall-[^ ]*ns5\/svc5\/tcp\/p80 \{\n\t\tip saddr != \{ 203\.0\.113\.0\/25 \} drop\n\t\}/);
  });

  it('iptables: no KUBE-FW chain and no KUBE-PROXY-FIREWALL rule; every source meets the reject', () => {
    const table = new IptablesTable('test-node', [sp], DEFAULT_COSTS, options);
    expect(table.connect(3002, outside, 0, () => 0.5, 0, 'load-balancer-ip')).toBe(Verdict.Reject);
    expect(table.connect(3002, inside, 0, () => 0.5, 0, 'load-balancer-ip')).toBe(Verdict.Reject);
    const text = renderIptables(table.plan);
    expect(text).not.toContain('KUBE-FW-');
    expect(text).not.toMatch(/-A KUBE-PROXY-FIREWALL /);
  });
});
