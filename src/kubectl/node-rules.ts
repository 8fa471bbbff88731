// `rules -o json`: what kube-proxy programs on one node, per service port, as data instead of
// iptables-restore / nft / ipvsadm text. Read from the same compiled table the simulator routes
// with and the text renderers print (proxy/render.ts), so the three views cannot disagree:
// iptables — the SVC/SVL/EXT chains, each endpoint's SEP chain and statistic probability, and
// the filter rule of a port without (local) endpoints; nftables — the chains, the numgen vmap
// entries and the map elements; IPVS — the virtual server and its real servers.

import { iptablesEndpointChain, iptablesServiceChains, nftEndpointNameBase, nftServiceNameBase, protocolLower } from '../proxy/chain-names.js';
import { compileNodeTable } from '../proxy/compile.js';
import { IptablesTable } from '../proxy/iptables.js';
import { AFFINITY, EXT_LOCAL, HAS_ENDPOINTS, type IptablesPlan } from '../proxy/iptables-plan.js';
import { IpvsTable } from '../proxy/ipvs.js';
import { NftablesTable } from '../proxy/nftables.js';
import { printedProbability } from '../proxy/probability.js';
import type { ServicePortInfo } from '../proxy/service-map.js';
import { type CompileOptions, DEFAULT_COSTS, type ProxyMode } from '../proxy/types.js';
import type { JsonObject } from './print-objects.js';

/** The service port and its endpoints, as every mode sees them. */
function servicePortFields(sp: ServicePortInfo): JsonObject {
  return {
    name: sp.name,
    protocol: sp.protocol,
    clusterIP: sp.clusterIP,
    port: sp.port,
    nodePort: sp.nodePort,
    externalIPs: [...sp.externalIPs],
    loadBalancerIPs: [...(sp.loadBalancerIPs ?? [])],
    ...(sp.loadBalancerSourceRanges === undefined ? {} : { loadBalancerSourceRanges: [...sp.loadBalancerSourceRanges] }),
    externalTrafficPolicy: sp.externalTrafficPolicy,
    sessionAffinity: sp.sessionAffinity,
    sessionAffinityTimeoutS: sp.sessionAffinity === 'ClientIP' ? sp.sessionAffinityTimeoutS : 0,
    healthCheckNodePort: sp.healthCheckNodePort,
    endpoints: sp.endpoints.map((e) => ({ address: e.key, nodeName: e.nodeName, ready: e.ready, serving: e.serving, terminating: e.terminating })),
  };
}

/** Positions [start, start+n) of the plan's targets: the endpoints one chain balances over, in rule order. */
const targetsOf = (plan: IptablesPlan, start: number, n: number): number[] => Array.from({ length: n }, (_, i) => plan.targets[start + i]);

function iptablesFields(plan: IptablesPlan, p: number, sp: ServicePortInfo): JsonObject {
  const flags = plan.flags[p];
  const hasEndpoints = (flags & HAS_ENDPOINTS) !== 0;
  const extLocal = (flags & EXT_LOCAL) !== 0;
  const hasExternalEndpoints = hasEndpoints && (!extLocal || plan.localCount[p] > 0);
  const chains = iptablesServiceChains(sp);
  // One rule per endpoint; rule i matches with probability 1/(n-i), the last one always.
  const balance = (start: number, n: number): JsonObject[] =>
    targetsOf(plan, start, n).map((e, i) => ({
      endpoint: sp.endpoints[e].key,
      chain: iptablesEndpointChain(sp, sp.endpoints[e]),
      probability: i < n - 1 ? printedProbability(n - i) : null,
    }));
  const externallyReachable = sp.nodePort > 0 || sp.externalIPs.length > 0 || (sp.loadBalancerIPs?.length ?? 0) > 0;
  return {
    serviceChain: hasEndpoints ? chains.svc : null,
    externalChain: hasEndpoints && externallyReachable ? chains.ext : null,
    localChain: hasEndpoints && extLocal && plan.localCount[p] > 0 ? chains.svl : null,
    // usesFWChain: the loadBalancerSourceRanges chain the load-balancer IP rules jump to.
    ...(plan.sourceRanges[p] === null ? {} : { firewallChain: chains.fw }),
    affinity: (flags & AFFINITY) !== 0,
    clusterEndpoints: hasEndpoints ? balance(plan.clusterStart[p], plan.clusterCount[p]) : [],
    localEndpoints: extLocal ? balance(plan.localStart[p], plan.localCount[p]) : [],
    // The filter table's DROP (endpoints elsewhere only) or REJECT (no endpoints) for the port.
    filter: hasExternalEndpoints ? null : { target: hasEndpoints ? 'DROP' : 'REJECT', comment: `${sp.name} ${hasEndpoints ? 'has no local endpoints' : 'has no endpoints'}` },
  };
}

function nftablesFields(plan: IptablesPlan, p: number, sp: ServicePortInfo): JsonObject {
  const flags = plan.flags[p];
  const hasEndpoints = (flags & HAS_ENDPOINTS) !== 0;
  const extLocal = (flags & EXT_LOCAL) !== 0;
  const hasExternal = hasEndpoints && (!extLocal || plan.localCount[p] > 0);
  const base = nftServiceNameBase(sp);
  const proto = protocolLower(sp);
  const verdict = hasEndpoints ? 'drop' : 'goto reject-chain';
  // `numgen random mod n vmap { i : goto endpoint-... }`
  const vmap = (start: number, n: number): JsonObject[] =>
    targetsOf(plan, start, n).map((e, i) => ({ index: i, endpoint: sp.endpoints[e].key, chain: `endpoint-${nftEndpointNameBase(sp, sp.endpoints[e])}` }));
  const externallyReachable = sp.nodePort > 0 || sp.externalIPs.length > 0 || (sp.loadBalancerIPs?.length ?? 0) > 0;
  const serviceIPs: string[] = [];
  const noEndpointServices: string[] = [];
  if (hasEndpoints) serviceIPs.push(`${sp.clusterIP} . ${proto} . ${sp.port} : goto service-${base}`);
  else noEndpointServices.push(`${sp.clusterIP} . ${proto} . ${sp.port} comment "${sp.name}" : ${verdict}`);
  for (const ip of [...sp.externalIPs, ...(sp.loadBalancerIPs ?? [])]) {
    if (hasEndpoints) serviceIPs.push(`${ip} . ${proto} . ${sp.port} : goto external-${base}`);
    if (!hasExternal) noEndpointServices.push(`${ip} . ${proto} . ${sp.port} comment "${sp.name}" : ${verdict}`);
  }
  const nodePorts = sp.nodePort > 0 && hasEndpoints ? [`${proto} . ${sp.nodePort} : goto external-${base}`] : [];
  const noEndpointNodePorts = sp.nodePort > 0 && !hasExternal ? [`${proto} . ${sp.nodePort} comment "${sp.name}" : ${verdict}`] : [];
  return {
    serviceChain: hasEndpoints ? `service-${base}` : null,
    externalChain: hasEndpoints && externallyReachable ? `external-${base}` : null,
    localChain: hasEndpoints && extLocal && plan.localCount[p] > 0 ? `local-${base}` : null,
    affinity: (flags & AFFINITY) !== 0,
    clusterEndpoints: hasEndpoints ? vmap(plan.clusterStart[p], plan.clusterCount[p]) : [],
    localEndpoints: extLocal ? vmap(plan.localStart[p], plan.localCount[p]) : [],
    maps: {
      ...(plan.sourceRanges[p] === null ? {} : { 'firewall-ips': (sp.loadBalancerIPs ?? []).map((ip) => `${ip} . ${proto} . ${sp.port} : goto firewall-${base}`) }),
      'service-ips': serviceIPs,
      'service-nodeports': nodePorts,
      'no-endpoint-services': noEndpointServices,
      'no-endpoint-nodeports': noEndpointNodePorts,
    },
  };
}

function planEntries(plan: IptablesPlan, mode: 'iptables' | 'nftables'): JsonObject[] {
  return Array.from(plan.order, (sp, p) => {
    const info = plan.servicePorts[sp];
    return { ...servicePortFields(info), [mode]: mode === 'iptables' ? iptablesFields(plan, p, info) : nftablesFields(plan, p, info) };
  });
}

function ipvsEntries(table: IpvsTable): JsonObject[] {
  return table.virtualServers.map((vs) => {
    const sp = table.servicePorts[vs.sp];
    return {
      ...servicePortFields(sp),
      ipvs: {
        virtualServer: vs.key.replace('/TCP', ''),
        protocol: 'TCP',
        scheduler: table.scheduler,
        persistentTimeoutS: vs.persistentTimeoutNs / 1e9,
        // Cluster policy ports are marked for masquerade (KUBE-NODE-PORT-TCP); Local ones are not.
        masquerade: vs.masquerade,
        realServers: Array.from(vs.realServers, (e) => ({ address: sp.endpoints[e].key, forward: 'Masq', weight: 1 })),
      },
    };
  });
}

/** The node's rules as one JSON object: mode, node, and one entry per programmed service port. */
export function nodeRulesObject(mode: ProxyMode, nodeName: string, servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}): JsonObject {
  const table = compileNodeTable(mode, nodeName, servicePorts, DEFAULT_COSTS, options);
  let entries: JsonObject[];
  if (table instanceof IptablesTable) entries = planEntries(table.plan, 'iptables');
  else if (table instanceof NftablesTable) entries = planEntries(table.plan, 'nftables');
  else if (table instanceof IpvsTable) entries = ipvsEntries(table);
  else throw new Error(`no structured form for mode ${mode}`);
  return { mode, node: nodeName, ...(options.nodeIP === undefined ? {} : { nodeIP: options.nodeIP }), servicePorts: entries };
}
