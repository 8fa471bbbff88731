// A node's iptables rules in the iptables-restore text kube-proxy hands to `iptables-restore`
// (the format `iptables-save` prints), rendered from the same plan the lookup table walks.
// Line order is kube-proxy's write order (pkg/proxy/iptables/proxier.go syncProxyRules),
// with services in ServicePortName order where kube-proxy would use Go map order.

import { externallyAccessible } from './categorize.js';
import { iptablesEndpointChain, iptablesServiceChains, protocolLower } from './chain-names.js';
import { AFFINITY, EXT_LOCAL, HAS_ENDPOINTS, INT_LOCAL, type IptablesPlan } from './iptables-plan.js';
import { printedProbability } from './probability.js';
import type { ServicePortInfo } from './service-map.js';

/** kube-proxy's largeClusterEndpointsThreshold: above it, endpoint-rule comments are dropped. */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

/** The masquerade mark, 1 << masqueradeBit (default 14). */
const MARK = '0x4000';

export interface RenderIptablesOptions {
  /** iptables supports --random-fully (true on any iptables ≥ 1.6.2). */
  readonly randomFully?: boolean;
}

/** The line lists of the restore text, filled service port by service port. */
interface IptablesParts {
  readonly filterRules: string[];
  readonly natChains: string[];
  readonly natRules: string[];
}

/** What the rules of one service port are written from. */
interface PortContext {
  readonly plan: IptablesPlan;
  readonly p: number;
  /** An endpoint rule's comment, dropped in a large cluster (LARGE_CLUSTER_ENDPOINTS). */
  readonly comment: (c: string) => string;
  // What every rule of the port repeats, worked out once.
  readonly sp: ServicePortInfo;
  /** `-m tcp -p tcp`. */
  readonly m: string;
  readonly extLocal: boolean;
  readonly chains: ReturnType<typeof iptablesServiceChains>;
}

function portContext(plan: IptablesPlan, p: number, comment: (c: string) => string): PortContext {
  const sp = plan.servicePorts[plan.order[p]];
  const proto = protocolLower(sp);
  return { plan, p, comment, sp, m: `-m ${proto} -p ${proto}`, extLocal: (plan.flags[p] & EXT_LOCAL) !== 0, chains: iptablesServiceChains(sp) };
}

export function renderIptables(plan: IptablesPlan, opts: RenderIptablesOptions = {}): string {
  const { servicePorts, order, options } = plan;
  const randomFully = opts.randomFully ?? true;
  let totalEndpoints = 0;
  for (let p = 0; p < order.length; p++) totalEndpoints += servicePorts[order[p]].endpoints.length;
  const large = totalEndpoints > LARGE_CLUSTER_ENDPOINTS;
  const comment = (c: string): string => (large ? '' : ` -m comment --comment ${c}`);

  const filterChains = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'];
  const filterRules: string[] = [];
  const natChains = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
  const natRules: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MARK}/${MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MARK}`,
    `-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE${randomFully ? ' --random-fully' : ''}`,
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MARK}`,
  ];
  if (options.localhostNodePorts) {
    // Mitigates the route_localnet hole (kubernetes#90259); kubelet writes the same rule.
    filterChains.push('KUBE-FIREWALL');
    filterRules.push(
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    );
  }
  const parts: IptablesParts = { filterRules, natChains, natRules };
  for (let p = 0; p < order.length; p++) addServicePort(portContext(plan, p, comment), parts);

  natRules.push(
    `-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL${
      options.localhostNodePorts ? '' : ' ! -d 127.0.0.0/8'
    } -j KUBE-NODEPORTS`,
  );
  filterRules.push(
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MARK}/${MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );

  const chainLine = (c: string): string => `:${c} - [0:0]`;
  return [
    '*filter',
    ...filterChains.map(chainLine),
    ...filterRules,
    'COMMIT',
    '*nat',
    ...natChains.map(chainLine),
    ...natRules,
    'COMMIT',
    '',
  ].join('\n');
}

/** One service port's rules (pkg/proxy/iptables/proxier.go syncProxyRules, per service port). */
function addServicePort(c: PortContext, parts: IptablesParts): void {
  const { plan, p, sp, m, extLocal, chains } = c;
  const { flags, options } = plan;
  const { filterRules, natRules } = parts;
  const name = sp.name;
  const hasEndpoints = (flags[p] & HAS_ENDPOINTS) !== 0;
  const hasExternalEndpoints = hasEndpoints && (!extLocal || plan.localCount[p] > 0);
  const filterTarget = hasEndpoints ? 'DROP' : 'REJECT';
  const filterComment = hasEndpoints ? `"${name} has no local endpoints"` : `"${name} has no endpoints"`;

  // "Capture the clusterIP": to the internal policy chain, or filtered when it has no endpoints.
  if (plan.clusterIPBefore[p] >= 0) {
    const internalChain = (flags[p] & INT_LOCAL) !== 0 ? chains.svl : chains.svc;
    natRules.push(`-A KUBE-SERVICES -m comment --comment "${name} cluster IP" ${m} -d ${sp.clusterIP} --dport ${sp.port} -j ${internalChain}`);
  } else {
    filterRules.push(`-A KUBE-SERVICES -m comment --comment ${filterComment} ${m} -d ${sp.clusterIP} --dport ${sp.port} -j ${filterTarget}`);
  }
  for (const ip of sp.externalIPs) {
    if (hasEndpoints) natRules.push(`-A KUBE-SERVICES -m comment --comment "${name} external IP" ${m} -d ${ip} --dport ${sp.port} -j ${chains.ext}`);
    if (!hasExternalEndpoints) {
      filterRules.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${filterComment} ${m} -d ${ip} --dport ${sp.port} -j ${filterTarget}`);
    }
  }
  // "Capture load-balancer ingress" (pkg/proxy/iptables/proxier.go syncProxyRules), after the
  // external IPs: to the FW chain when loadBalancerSourceRanges is in use (usesFWChain), whose
  // unaccepted traffic KUBE-PROXY-FIREWALL drops; then, without external endpoints, the filter rules.
  const usesFW = plan.proxyFirewallBefore[p] >= 0;
  for (const ip of sp.loadBalancerIPs ?? []) {
    if (hasEndpoints) natRules.push(`-A KUBE-SERVICES -m comment --comment "${name} loadbalancer IP" ${m} -d ${ip} --dport ${sp.port} -j ${usesFW ? chains.fw : chains.ext}`);
    if (usesFW) {
      filterRules.push(`-A KUBE-PROXY-FIREWALL -m comment --comment "${name} traffic not accepted by ${chains.fw}" ${m} -d ${ip} --dport ${sp.port} -j DROP`);
    }
  }
  if (!hasExternalEndpoints) {
    for (const ip of sp.loadBalancerIPs ?? []) {
      filterRules.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${filterComment} ${m} -d ${ip} --dport ${sp.port} -j ${filterTarget}`);
    }
  }
  if (sp.nodePort > 0) {
    if (hasEndpoints) {
      if (options.localhostNodePorts) {
        natRules.push(
          `-A KUBE-NODEPORTS -m comment --comment ${name} ${m} -d 127.0.0.0/8 --dport ${sp.nodePort} -m nfacct --nfacct-name localhost_nps_accepted_pkts -j ${chains.ext}`,
        );
      }
      natRules.push(`-A KUBE-NODEPORTS -m comment --comment ${name} ${m} --dport ${sp.nodePort} -j ${chains.ext}`);
    }
    if (!hasExternalEndpoints) {
      filterRules.push(
        `-A KUBE-EXTERNAL-SERVICES -m comment --comment ${filterComment} -m addrtype --dst-type LOCAL ${m} --dport ${sp.nodePort} -j ${filterTarget}`,
      );
    }
  }
  if (sp.healthCheckNodePort > 0) {
    filterRules.push(
      `-A KUBE-NODEPORTS -m comment --comment "${name} health check node port" -m tcp -p tcp --dport ${sp.healthCheckNodePort} -j ACCEPT`,
    );
  }
  if (!hasEndpoints) return;
  addServiceChains(c, parts);
  addEndpointRules(c, parts);
}

/** The SVC chain's masquerade rule and the EXT chain of an externally reachable service port. */
function addServiceChains(c: PortContext, parts: IptablesParts): void {
  const { plan, p, sp, m, extLocal, chains } = c;
  const { options } = plan;
  const detector = options.podCIDR !== '';
  const { natChains, natRules } = parts;
  const name = sp.name;
  const hasExternalEndpoints = !extLocal || plan.localCount[p] > 0;
  const externalPolicyChain = extLocal ? chains.svl : chains.svc;
  // Internal traffic: the internal policy chain's masquerade rule for off-cluster sources.
  const internalChain = (plan.flags[p] & INT_LOCAL) !== 0 ? chains.svl : chains.svc;
  const hasInternalEndpoints = plan.clusterIPBefore[p] >= 0;
  if (hasInternalEndpoints && options.masqueradeAll) {
    natRules.push(`-A ${internalChain} -m comment --comment "${name} cluster IP" ${m} -d ${sp.clusterIP} --dport ${sp.port} -j KUBE-MARK-MASQ`);
  } else if (hasInternalEndpoints && detector) {
    natRules.push(
      `-A ${internalChain} -m comment --comment "${name} cluster IP" ${m} -d ${sp.clusterIP} --dport ${sp.port} ! -s ${options.podCIDR} -j KUBE-MARK-MASQ`,
    );
  }
  if (externallyAccessible(sp)) {
    natChains.push(chains.ext);
    if (!extLocal) {
      natRules.push(`-A ${chains.ext} -m comment --comment "masquerade traffic for ${name} external destinations" -j KUBE-MARK-MASQ`);
    } else {
      if (detector) {
        natRules.push(`-A ${chains.ext} -m comment --comment "pod traffic for ${name} external destinations" -s ${options.podCIDR} -j ${chains.svc}`);
      }
      natRules.push(
        `-A ${chains.ext} -m comment --comment "masquerade LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
      );
      natRules.push(
        `-A ${chains.ext} -m comment --comment "route LOCAL traffic for ${name} external destinations" -m addrtype --src-type LOCAL -j ${chains.svc}`,
      );
    }
    if (hasExternalEndpoints) natRules.push(`-A ${chains.ext} -j ${externalPolicyChain}`);
  }
  addFirewallChain(c, parts);
}

/** The KUBE-FW chain of a service port with loadBalancerSourceRanges (proxier.go "Set up firewall chain, if needed"). */
function addFirewallChain(c: PortContext, parts: IptablesParts): void {
  const { plan, p, sp, chains } = c;
  const ranges = plan.sourceRanges[p];
  if (ranges === null || plan.proxyFirewallBefore[p] < 0) return; // usesFWChain needs endpoints
  parts.natChains.push(chains.fw);
  const head = `-A ${chains.fw} -m comment --comment "${sp.name} loadbalancer IP"`;
  for (const cidr of ranges) parts.natRules.push(`${head} -s ${cidr.text} -j ${chains.ext}`);
  // allowFromNode: a node's request to a VIP routed locally arrives with the VIP as its source.
  if (plan.allowFromNode[p] === 1) for (const ip of sp.loadBalancerIPs ?? []) parts.natRules.push(`${head} -s ${ip} -j ${chains.ext}`);
  // The packet that reaches the end was not DNATed, so KUBE-PROXY-FIREWALL drops it.
  parts.natRules.push(`-A ${chains.fw} -m comment --comment "other traffic to ${sp.name} will be dropped by KUBE-PROXY-FIREWALL"`);
}

/** The SVC (and SVL) chains' endpoint picks and the endpoint (SEP) chains. */
function addEndpointRules(c: PortContext, parts: IptablesParts): void {
  const { plan, p, comment, sp, m, extLocal, chains } = c;
  const { natChains, natRules } = parts;
  const name = sp.name;
  const affinity = (plan.flags[p] & AFFINITY) !== 0;
  const sepOf = (k: number): string => iptablesEndpointChain(sp, sp.endpoints[plan.targets[k]]);
  const writeEndpointRules = (chain: string, start: number, n: number): void => {
    natChains.push(chain);
    if (affinity) {
      for (let k = start; k < start + n; k++) {
        const ep = sp.endpoints[plan.targets[k]];
        const sep = sepOf(k);
        natRules.push(`-A ${chain}${comment(`"${name} -> ${ep.key}"`)} -m recent --name ${sep} --rcheck --seconds ${sp.sessionAffinityTimeoutS} --reap -j ${sep}`);
      }
    }
    for (let i = 0; i < n; i++) {
      const ep = sp.endpoints[plan.targets[start + i]];
      const stat = i < n - 1 ? ` -m statistic --mode random --probability ${printedProbability(n - i)}` : '';
      natRules.push(`-A ${chain}${comment(`"${name} -> ${ep.key}"`)}${stat} -j ${sepOf(start + i)}`);
    }
  };
  // usesClusterPolicyChain / usesLocalPolicyChain: a chain only for a used, non-empty list.
  if (plan.clusterCount[p] > 0) writeEndpointRules(chains.svc, plan.clusterStart[p], plan.clusterCount[p]);
  if ((extLocal || (plan.flags[p] & INT_LOCAL) !== 0) && plan.localCount[p] > 0) writeEndpointRules(chains.svl, plan.localStart[p], plan.localCount[p]);

  // allLocallyReachableEndpoints: Cluster ∪ Local, each endpoint chain once, in endpoint order.
  const reachable = new Set<number>();
  for (let k = plan.clusterStart[p]; k < plan.localStart[p] + plan.localCount[p]; k++) reachable.add(plan.targets[k]);
  for (const e of [...reachable].sort((a, b) => a - b)) {
    const ep = sp.endpoints[e];
    const sep = iptablesEndpointChain(sp, ep);
    natChains.push(sep);
    natRules.push(`-A ${sep}${comment(name)} -s ${ep.ip} -j KUBE-MARK-MASQ`);
    const recent = affinity ? ` -m recent --name ${sep} --set` : '';
    natRules.push(`-A ${sep}${comment(name)}${recent} ${m} -j DNAT --to-destination ${ep.key}`);
  }
}
