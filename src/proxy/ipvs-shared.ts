// IPVS mode split in two: the NodePort virtual servers kube-proxy programs identically on every
// node (which ports, their Cluster real servers, persistence), compiled once per snapshot, and
// what differs per node (its address in each virtual server's key, a Local port's real servers).
// Kernel state (destination lists, scheduler cursors, connection counts) stays per node.

import { IntList } from '../engine/typed-arrays.js';
import { type Cidr, parseCidr } from '../net/ipv4.js';
import { EndpointCategories, categorizeEndpoints, externalPolicyLocal, isProxied } from './categorize.js';
import type { PreviousShared } from './partial-sync.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type ResolvedOptions, resolveOptions } from './types.js';

/** A NodePort virtual server as every node programs it. */
export interface SharedVirtualServer {
  readonly sp: number;
  readonly nodePort: number;
  /** The Cluster endpoints (CategorizeEndpoints' clusterEndpoints), sorted by `ip:port`. */
  readonly clusterServers: Int32Array;
  /** externalTrafficPolicy Local: the node's local endpoints, when it has any, replace the cluster ones. */
  readonly local: boolean;
  readonly hasEndpoints: boolean;
  readonly persistentTimeoutNs: number;
  /** Its index among the Local virtual servers, or -1. */
  readonly localIndex: number;
}

/** "Capture load-balancer ingress": the virtual server on a port's first load-balancer IP; its real servers are its NodePort's. */
export interface SharedLbVirtualServer {
  /** The NodePort virtual server (index into `servers`) whose real servers and forwarding it has. */
  readonly server: number;
  /** `lbIP:port/TCP`, the key of its kernel state. */
  readonly key: string;
  /** loadBalancerSourceRanges: KUBE-SOURCE-RANGES-FIREWALL drops the other sources before IPVS sees them. */
  readonly sourceRanges?: readonly Cidr[];
}

export interface SharedIpvs {
  readonly servicePorts: readonly ServicePortInfo[];
  readonly options: ResolvedOptions;
  /** TCP nodePort → virtual server index, or -1. */
  readonly byNodePort: Int32Array;
  readonly servers: readonly SharedVirtualServer[];
  /** The Local virtual servers' indexes, by local index. */
  readonly localServers: Int32Array;
  readonly lbServers: readonly SharedLbVirtualServer[];
  /** TCP nodePort → index into `lbServers`. */
  readonly lbByNodePort: ReadonlyMap<number, number>;
}

/** The load-balancer IPs' virtual servers of the NodePort ones (node-independent: keyed by the LB IP). */
function lbServersOf(servicePorts: readonly ServicePortInfo[], servers: readonly SharedVirtualServer[]): { lbServers: SharedLbVirtualServer[]; lbByNodePort: Map<number, number> } {
  const lbServers: SharedLbVirtualServer[] = [];
  const lbByNodePort = new Map<number, number>();
  servers.forEach((vs, v) => {
    const sp = servicePorts[vs.sp];
    const lbIP = sp.loadBalancerIPs?.[0];
    if (lbIP === undefined) return;
    const ranges = (sp.loadBalancerSourceRanges ?? []).map((c) => parseCidr(c) as Cidr);
    lbByNodePort.set(sp.nodePort, lbServers.length);
    lbServers.push({ server: v, key: `${lbIP}:${sp.port}/TCP`, ...(ranges.length > 0 ? { sourceRanges: ranges } : {}) });
  });
  return { lbServers, lbByNodePort };
}

/**
 * Every node's NodePort virtual servers but for their addresses and Local ports' real servers.
 * With `previous`, a partial sync: the unchanged ports' virtual servers are the previous objects.
 */
export function sharedIpvs(servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}, previous?: PreviousShared<SharedIpvs>): SharedIpvs {
  const resolved = resolveOptions(options);
  const kept = new Map<number, SharedVirtualServer>();
  if (previous !== undefined) for (const vs of previous.shared.servers) if (!previous.changed.has(vs.sp)) kept.set(vs.sp, vs);
  let maxNodePort = 65_535;
  for (const sp of servicePorts) if (sp.nodePort > maxNodePort) maxNodePort = sp.nodePort;
  const byNodePort = new Int32Array(maxNodePort + 1).fill(-1);
  const servers: SharedVirtualServer[] = [];
  const localServers: number[] = [];
  const scratch = new IntList(64);
  const cat = new EndpointCategories();
  for (let i = 0; i < servicePorts.length; i++) {
    const sp = servicePorts[i];
    if (!isProxied(sp) || sp.nodePort <= 0 || sp.protocol !== 'TCP') continue;
    const same = kept.get(i);
    if (same !== undefined && same.localIndex === (same.local ? localServers.length : -1)) {
      byNodePort[sp.nodePort] = servers.length;
      if (same.local) localServers.push(servers.length);
      servers.push(same);
      continue;
    }
    scratch.length = 0;
    categorizeEndpoints(sp, '', scratch, cat, resolved.zone);
    const local = externalPolicyLocal(sp);
    byNodePort[sp.nodePort] = servers.length;
    if (local) localServers.push(servers.length);
    servers.push({
      sp: i,
      nodePort: sp.nodePort,
      clusterServers: scratch.data.slice(cat.clusterStart, cat.clusterStart + cat.clusterCount),
      local,
      hasEndpoints: cat.hasAnyEndpoints,
      persistentTimeoutNs: sp.sessionAffinity === 'ClientIP' ? sp.sessionAffinityTimeoutS * 1e9 : 0,
      localIndex: local ? localServers.length - 1 : -1,
    });
  }
  return { servicePorts, options: resolved, byNodePort, servers, localServers: Int32Array.from(localServers), ...lbServersOf(servicePorts, servers) };
}

/** `nodeName`'s local endpoints for each Local virtual server, by local index. */
export function ipvsLocalServers(shared: SharedIpvs, nodeName: string): Int32Array[] {
  const scratch = new IntList(64);
  const cat = new EndpointCategories();
  return Array.from(shared.localServers, (v) => {
    const sp = shared.servicePorts[shared.servers[v].sp];
    scratch.length = 0;
    categorizeEndpoints(sp, nodeName, scratch, cat, shared.options.zone);
    return scratch.data.slice(cat.localStart, cat.localStart + cat.localCount);
  });
}
