// Everything kube-proxy's IPVS mode programs on one node, for the renderers: a virtual server
// per ClusterIP, external IP and NodePort (pkg/proxy/ipvs/proxier.go syncService/syncEndpoint),
// each with its real servers in the kernel's destination-list order, and the ipsets the
// iptables rules match on (pkg/proxy/ipvs/ipset.go, the sets syncProxyRules fills).

import { IntList } from '../engine/typed-arrays.js';
import { type Cidr, cidrContains, ipv4ToUint32, parseCidr } from '../net/ipv4.js';
import { EndpointCategories, categorizeEndpoints, externalPolicyLocal, internalPolicyLocal, isProxied } from './categorize.js';
import { reconcileDestinations } from './ipvs-destinations.js';
import type { IpvsTable } from './ipvs.js';

export interface IpvsServiceView {
  /** `ip:port`. */
  readonly address: string;
  readonly persistentTimeoutS: number;
  /** Real servers `ip:port`, head of the destination list first. */
  readonly realServers: readonly string[];
  readonly active: ReadonlyMap<string, number> | undefined;
  readonly inactive: ReadonlyMap<string, number> | undefined;
}

export interface IpsetView {
  readonly name: string;
  /** The `ipset create` type and options kube-proxy gives it (ipset util createSet). */
  readonly create: string;
  readonly entries: readonly string[];
}

/** A node's virtual servers: per TCP service port, its ClusterIP, its external IPs, its NodePort. */
export function ipvsServices(table: IpvsTable): IpvsServiceView[] {
  const out: IpvsServiceView[] = [];
  const scratch = new IntList(64);
  const cat = new EndpointCategories();
  const nodePortVs = new Map(table.virtualServers.map((vs) => [vs.sp, vs]));
  table.servicePorts.forEach((sp, i) => {
    if (!isProxied(sp) || sp.protocol !== 'TCP') return;
    scratch.length = 0;
    categorizeEndpoints(sp, table.nodeName, scratch, cat);
    const keysOf = (start: number, n: number) => Array.from(scratch.data.slice(start, start + n), (e) => sp.endpoints[e].key);
    const cluster = keysOf(cat.clusterStart, cat.clusterCount);
    // The ClusterIP virtual server: local endpoints under internal policy Local, every endpoint when there is none (syncEndpoint).
    const internal = internalPolicyLocal(sp) && cat.localCount > 0 ? keysOf(cat.localStart, cat.localCount) : cluster;
    const external = externalPolicyLocal(sp) && cat.localCount > 0 ? keysOf(cat.localStart, cat.localCount) : cluster;
    const timeoutS = sp.sessionAffinity === 'ClientIP' ? sp.sessionAffinityTimeoutS : 0;
    const view = (address: string, keys: string[]): IpvsServiceView => {
      const state = table.state.ipvs.get(`${address}/TCP`);
      const list = reconcileDestinations(table.nodeName, state?.list ?? [], -1, keys, 'keep').list;
      const counts = (of: (server: string) => number) => new Map(list.map((k) => [k, of(k)]));
      const active = state && counts((k) => state.activeOf(k));
      const inactive = state && counts((k) => state.inactiveOf(k));
      return { address, persistentTimeoutS: timeoutS, realServers: list, active, inactive };
    };
    out.push(view(`${sp.clusterIP}:${sp.port}`, internal));
    for (const ip of sp.externalIPs) out.push(view(`${ip}:${sp.port}`, external));
    // "Capture load-balancer ingress": a virtual server per load-balancer IP, external policy's real servers.
    for (const ip of sp.loadBalancerIPs ?? []) out.push(view(`${ip}:${sp.port}`, external));
    const vs = nodePortVs.get(i);
    if (vs) out.push(view(vs.key.replace('/TCP', ''), Array.from(vs.realServers, (e) => sp.endpoints[e].key)));
  });
  return out;
}

const HASH = 'family inet hashsize 1024 maxelem 65536';
const PORTS = 'range 0-65535';

/** The ipsets kube-proxy's IPVS mode fills on this node (the TCP ones this model has). */
export function ipvsIpsets(table: IpvsTable): IpsetView[] {
  const clusterIP: string[] = [];
  const loopBack: string[] = [];
  const externalIP: string[] = [];
  const externalIPLocal: string[] = [];
  const nodePort: string[] = [];
  const nodePortLocal: string[] = [];
  const healthCheck: string[] = [];
  const lb = lbIpsets(table);
  for (const sp of table.servicePorts) {
    if (!isProxied(sp) || sp.protocol !== 'TCP') continue;
    const local = externalPolicyLocal(sp);
    clusterIP.push(`${sp.clusterIP},tcp:${sp.port}`);
    for (const e of sp.endpoints) if (e.nodeName === table.nodeName) loopBack.push(`${e.ip},tcp:${e.port},${e.ip}`);
    for (const ip of sp.externalIPs) (local ? externalIPLocal : externalIP).push(`${ip},tcp:${sp.port}`);
    if (sp.nodePort > 0) {
      nodePort.push(String(sp.nodePort));
      if (local) nodePortLocal.push(String(sp.nodePort));
    }
    if (sp.healthCheckNodePort > 0) healthCheck.push(String(sp.healthCheckNodePort));
  }
  return [
    { name: 'KUBE-CLUSTER-IP', create: `hash:ip,port ${HASH}`, entries: clusterIP },
    { name: 'KUBE-LOOP-BACK', create: `hash:ip,port,ip ${HASH}`, entries: loopBack },
    { name: 'KUBE-EXTERNAL-IP', create: `hash:ip,port ${HASH}`, entries: externalIP },
    { name: 'KUBE-EXTERNAL-IP-LOCAL', create: `hash:ip,port ${HASH}`, entries: externalIPLocal },
    ...lb,
    { name: 'KUBE-NODE-PORT-TCP', create: `bitmap:port ${PORTS}`, entries: nodePort },
    { name: 'KUBE-NODE-PORT-LOCAL-TCP', create: `bitmap:port ${PORTS}`, entries: nodePortLocal },
    { name: 'KUBE-HEALTH-CHECK-NODE-PORT', create: `bitmap:port ${PORTS}`, entries: healthCheck },
  ];
}

/**
 * The load-balancer sets (pkg/proxy/ipvs/proxier.go "Capture load-balancer ingress"): every
 * ingress IP:port; the Local ones; those with loadBalancerSourceRanges (-FW) and each allowed
 * (IP:port, CIDR); with a range that covers the node, (IP:port, IP) for the node's own requests.
 */
function lbIpsets(table: IpvsTable): IpsetView[] {
  const all: string[] = [];
  const local: string[] = [];
  const fw: string[] = [];
  const sourceCidr: string[] = [];
  const sourceIp: string[] = [];
  const nodeIp = ipv4ToUint32(table.options.nodeIP);
  for (const sp of table.servicePorts) {
    if (!isProxied(sp) || sp.protocol !== 'TCP') continue;
    const ranges = (sp.loadBalancerSourceRanges ?? []).map((c) => parseCidr(c) as Cidr);
    for (const ip of sp.loadBalancerIPs ?? []) {
      const entry = `${ip},tcp:${sp.port}`;
      all.push(entry);
      if (externalPolicyLocal(sp)) local.push(entry);
      if (ranges.length === 0) continue;
      fw.push(entry);
      for (const c of ranges) sourceCidr.push(`${entry},${c.text}`);
      if (ranges.some((c) => cidrContains(c, nodeIp))) sourceIp.push(`${entry},${ip}`);
    }
  }
  return [
    { name: 'KUBE-LOAD-BALANCER', create: `hash:ip,port ${HASH}`, entries: all },
    { name: 'KUBE-LOAD-BALANCER-LOCAL', create: `hash:ip,port ${HASH}`, entries: local },
    { name: 'KUBE-LOAD-BALANCER-FW', create: `hash:ip,port ${HASH}`, entries: fw },
    { name: 'KUBE-LOAD-BALANCER-SOURCE-IP', create: `hash:ip,port,ip ${HASH}`, entries: sourceIp },
    { name: 'KUBE-LOAD-BALANCER-SOURCE-CIDR', create: `hash:ip,port,net ${HASH}`, entries: sourceCidr },
  ];
}
