// A node's kube-proxy nftables table in `nft list table ip kube-proxy` layout, rendered from
// the plan the nftables lookup table uses. Rule text follows pkg/proxy/nftables/proxier.go;
// services appear in ServicePortName order (kube-proxy's own order is Go map order).

import { externallyAccessible } from './categorize.js';
import { nftEndpointNameBase, nftServiceNameBase, protocolLower } from './chain-names.js';
import { AFFINITY, EXT_LOCAL, HAS_ENDPOINTS, INT_LOCAL, type IptablesPlan } from './iptables-plan.js';

const MARK = '0x00004000';
/**
 * The standard hook priorities kube-proxy names (dstnat, srcnat), as numbers: nft(8)'s table of
 * priority names gives dstnat -100 and srcnat 100, and nft before 1.0.7 or so accepts `dstnat`
 * only on the prerouting hook and no arithmetic on it, so a numeric priority loads everywhere.
 */
const DSTNAT = -100;
const SRCNAT = 100;

/** What the service ports add to the table: map and set elements, and their own chains. */
interface NftParts {
  readonly clusterIPs: string[];
  readonly serviceIPs: string[];
  readonly nodePorts: string[];
  readonly noEndpointServices: string[];
  readonly noEndpointNodePorts: string[];
  readonly firewallIPs: string[];
  readonly sets: string[];
  readonly chains: string[];
}

export function renderNftables(plan: IptablesPlan): string {
  const parts: NftParts = { clusterIPs: [], serviceIPs: [], nodePorts: [], noEndpointServices: [], noEndpointNodePorts: [], firewallIPs: [], sets: [], chains: [] };
  for (let p = 0; p < plan.order.length; p++) addServicePort(plan, p, parts);
  const { clusterIPs, serviceIPs, nodePorts, noEndpointServices, noEndpointNodePorts, firewallIPs, sets, chains } = parts;

  const elements = (xs: string[]): string[] => (xs.length === 0 ? [] : [`\t\telements = { ${xs.join(',\n\t\t\t     ')} }`]);
  const map = (name: string, type: string, comment: string, xs: string[]): string[] => [
    `\tmap ${name} {`,
    `\t\ttype ${type}`,
    `\t\tcomment "${comment}"`,
    ...elements(xs),
    '\t}',
  ];
  const noLocalhost = 'ip daddr != 127.0.0.0/8';
  return [
    'table ip kube-proxy {',
    '\tcomment "rules for kube-proxy"',
    '\tset cluster-ips {',
    '\t\ttype ipv4_addr',
    '\t\tcomment "Active ClusterIPs"',
    ...elements(clusterIPs),
    '\t}',
    ...sets,
    ...map('no-endpoint-services', 'ipv4_addr . inet_proto . inet_service : verdict', 'vmap to drop or reject packets to services with no endpoints', noEndpointServices),
    ...map('no-endpoint-nodeports', 'inet_proto . inet_service : verdict', 'vmap to drop or reject packets to service nodeports with no endpoints', noEndpointNodePorts),
    ...map('firewall-ips', 'ipv4_addr . inet_proto . inet_service : verdict', 'destinations that are subject to LoadBalancerSourceRanges', firewallIPs),
    ...map('service-ips', 'ipv4_addr . inet_proto . inet_service : verdict', 'ClusterIP, ExternalIP and LoadBalancer IP traffic', serviceIPs),
    ...map('service-nodeports', 'inet_proto . inet_service : verdict', 'NodePort traffic', nodePorts),
    ...baseChains(noLocalhost),
    ...chains,
    '}',
    '',
  ].join('\n');
}

/** The table's fixed chains: the hooks, the checks and the masquerade helpers (pkg/proxy/nftables/proxier.go setupNFTables). */
function baseChains(noLocalhost: string): string[] {
  return [
    '\tchain filter-prerouting {',
    `\t\ttype filter hook prerouting priority ${DSTNAT - 10}; policy accept;`,
    '\t\tct state new jump firewall-check',
    '\t}',
    '\tchain filter-input {',
    `\t\ttype filter hook input priority ${DSTNAT - 10}; policy accept;`,
    '\t\tct state new jump nodeport-endpoints-check',
    '\t\tct state new jump service-endpoints-check',
    '\t}',
    '\tchain filter-forward {',
    `\t\ttype filter hook forward priority ${DSTNAT - 10}; policy accept;`,
    '\t\tct state new jump service-endpoints-check',
    '\t\tct state new jump cluster-ips-check',
    '\t}',
    '\tchain filter-output {',
    `\t\ttype filter hook output priority ${DSTNAT - 10}; policy accept;`,
    '\t\tct state new jump service-endpoints-check',
    '\t\tct state new jump firewall-check',
    '\t}',
    '\tchain filter-output-post-dnat {',
    `\t\ttype filter hook output priority ${DSTNAT + 10}; policy accept;`,
    '\t\tct state new jump cluster-ips-check',
    '\t}',
    '\tchain nat-prerouting {',
    `\t\ttype nat hook prerouting priority ${DSTNAT}; policy accept;`,
    '\t\tjump services',
    '\t}',
    '\tchain nat-output {',
    `\t\ttype nat hook output priority ${DSTNAT}; policy accept;`,
    '\t\tjump services',
    '\t}',
    '\tchain nat-postrouting {',
    `\t\ttype nat hook postrouting priority ${SRCNAT}; policy accept;`,
    '\t\tjump masquerading',
    '\t}',
    '\tchain nodeport-endpoints-check {',
    `\t\t${noLocalhost} meta l4proto . th dport vmap @no-endpoint-nodeports`,
    '\t}',
    '\tchain service-endpoints-check {',
    '\t\tip daddr . meta l4proto . th dport vmap @no-endpoint-services',
    '\t}',
    '\tchain firewall-check {',
    '\t\tip daddr . meta l4proto . th dport vmap @firewall-ips',
    '\t}',
    '\tchain cluster-ips-check {',
    '\t\tip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"',
    '\t}',
    '\tchain services {',
    '\t\tip daddr . meta l4proto . th dport vmap @service-ips',
    `\t\tfib daddr type local ${noLocalhost} meta l4proto . th dport vmap @service-nodeports`,
    '\t}',
    '\tchain masquerading {',
    `\t\tmeta mark & ${MARK} == 0x00000000 return`,
    `\t\tmeta mark set meta mark ^ ${MARK}`,
    '\t\tmasquerade fully-random',
    '\t}',
    '\tchain mark-for-masquerade {',
    `\t\tmeta mark set meta mark | ${MARK}`,
    '\t}',
    '\tchain reject-chain {',
    '\t\tcomment "helper for @no-endpoint-services / @no-endpoint-nodeports"',
    '\t\treject',
    '\t}',
  ];
}

/** One service port's elements and chains (pkg/proxy/nftables/proxier.go syncProxyRules, per service port). */
function addServicePort(plan: IptablesPlan, p: number, parts: NftParts): void {
  const { servicePorts, order, flags, options } = plan;
  const detector = options.podCIDR !== '';
  const { clusterIPs, serviceIPs, nodePorts, noEndpointServices, noEndpointNodePorts, firewallIPs, sets, chains } = parts;
  const chain = (name: string, rules: string[]): void => {
    chains.push(`\tchain ${name} {`, ...rules.map((r) => `\t\t${r}`), '\t}');
  };
  const sp = servicePorts[order[p]];
  const proto = protocolLower(sp);
  const hasEndpoints = (flags[p] & HAS_ENDPOINTS) !== 0;
  const extLocal = (flags[p] & EXT_LOCAL) !== 0;
  const hasExternal = hasEndpoints && (!extLocal || plan.localCount[p] > 0);
  const base = nftServiceNameBase(sp);
  const svc = `service-${base}`;
  const ext = `external-${base}`;
  const filterVerdict = hasEndpoints ? 'drop' : 'goto reject-chain';
  const intLocal = (flags[p] & INT_LOCAL) !== 0;
  const internalChain = intLocal ? `local-${base}` : svc;
  const hasInternal = plan.clusterIPBefore[p] >= 0;
  clusterIPs.push(sp.clusterIP);
  if (hasInternal) serviceIPs.push(`${sp.clusterIP} . ${proto} . ${sp.port} : goto ${internalChain}`);
  else noEndpointServices.push(`${sp.clusterIP} . ${proto} . ${sp.port} comment "${sp.name}" : ${filterVerdict}`);
  // Load balancer IPs share the external IPs' map entries (pkg/proxy/nftables/proxier.go); with
  // loadBalancerSourceRanges each also gets a firewall-ips element (usesFWChain).
  const ranges = plan.sourceRanges[p];
  for (const ip of [...sp.externalIPs, ...(sp.loadBalancerIPs ?? [])]) {
    if (hasEndpoints) serviceIPs.push(`${ip} . ${proto} . ${sp.port} : goto ${ext}`);
    if (!hasExternal) noEndpointServices.push(`${ip} . ${proto} . ${sp.port} comment "${sp.name}" : ${filterVerdict}`);
  }
  if (ranges !== null) for (const ip of sp.loadBalancerIPs ?? []) firewallIPs.push(`${ip} . ${proto} . ${sp.port} : goto firewall-${base}`);
  if (sp.nodePort > 0) {
    if (hasEndpoints) nodePorts.push(`${proto} . ${sp.nodePort} : goto ${ext}`);
    if (!hasExternal) noEndpointNodePorts.push(`${proto} . ${sp.nodePort} comment "${sp.name}" : ${filterVerdict}`);
  }
  if (!hasEndpoints) return;

  const endpointChain = (k: number): string => `endpoint-${nftEndpointNameBase(sp, sp.endpoints[plan.targets[k]])}`;
  const affinitySet = (k: number): string => `affinity-${nftEndpointNameBase(sp, sp.endpoints[plan.targets[k]])}`;
  const affinity = (flags[p] & AFFINITY) !== 0;
  const lbRules = (start: number, n: number): string[] => {
    const rules: string[] = [];
    if (affinity) for (let k = start; k < start + n; k++) rules.push(`ip saddr @${affinitySet(k)} goto ${endpointChain(k)}`);
    const elems = Array.from({ length: n }, (_, i) => `${i} : goto ${endpointChain(start + i)}`).join(' , ');
    rules.push(`numgen random mod ${n} vmap { ${elems} }`);
    return rules;
  };
  if (externallyAccessible(sp)) {
    const r: string[] = [];
    if (!extLocal) r.push('jump mark-for-masquerade');
    else {
      if (detector) r.push(`ip saddr ${options.podCIDR} goto ${svc} comment "short-circuit pod traffic"`);
      r.push('fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"');
      r.push(`fib saddr type local goto ${svc} comment "short-circuit local traffic"`);
    }
    if (hasExternal) r.push(`goto ${extLocal ? `local-${base}` : svc}`);
    chain(ext, r);
  }
  if (ranges !== null) {
    // allowFromNode: a VIP routed locally is the source of the node's own requests to it.
    const sources = [...ranges.map((c) => c.text), ...(plan.allowFromNode[p] === 1 ? (sp.loadBalancerIPs ?? []) : [])];
    chain(`firewall-${base}`, [`ip saddr != { ${sources.join(' , ')} } drop`]);
  }
  // The "cluster IP" masquerade rule heads the internal policy chain only.
  const masqRules: string[] = [];
  if (hasInternal && options.masqueradeAll) masqRules.push(`ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} jump mark-for-masquerade`);
  else if (hasInternal && detector) masqRules.push(`ip daddr ${sp.clusterIP} ${proto} dport ${sp.port} ip saddr != ${options.podCIDR} jump mark-for-masquerade`);
  if (plan.clusterCount[p] > 0) chain(svc, [...(intLocal ? [] : masqRules), ...lbRules(plan.clusterStart[p], plan.clusterCount[p])]);
  if ((extLocal || intLocal) && plan.localCount[p] > 0) chain(`local-${base}`, [...(intLocal ? masqRules : []), ...lbRules(plan.localStart[p], plan.localCount[p])]);
  const reachable = new Map<number, number>();
  for (let k = plan.clusterStart[p]; k < plan.localStart[p] + plan.localCount[p]; k++) if (!reachable.has(plan.targets[k])) reachable.set(plan.targets[k], k);
  for (const [e, k] of [...reachable].sort((a, b) => a[0] - b[0])) {
    const ep = sp.endpoints[e];
    if (affinity) {
      sets.push(`\tset ${affinitySet(k)} {`, '\t\ttype ipv4_addr', '\t\tflags dynamic,timeout', `\t\ttimeout ${sp.sessionAffinityTimeoutS}s`, '\t}');
    }
    const r = [`ip saddr ${ep.ip} jump mark-for-masquerade`];
    if (affinity) r.push(`update @${affinitySet(k)} { ip saddr }`);
    r.push(`meta l4proto ${proto} dnat to ${ep.key}`);
    chain(endpointChain(k), r);
  }
}
