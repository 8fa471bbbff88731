// Cilium's service and backend maps split in two: each service port's frontends, rev-NAT id,
// backend slots and forwarding mode are the same on every node (the agent derives them from the
// same Services and EndpointSlices), so they are compiled once per snapshot; a node keeps its
// own address's NodePort frontend, a Local port's node-local slots and its affinity map. Maglev
// tables of node-independent slots are built once, when first asked, for every node.

import { IntList } from '../engine/typed-arrays.js';
import { type Cidr, parseCidr } from '../net/ipv4.js';
import { EndpointCategories, categorizeEndpoints, externalPolicyLocal, isProxied } from './categorize.js';
import { maglevLookupTable } from './maglev.js';
import type { PreviousShared } from './partial-sync.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type ResolvedOptions, resolveOptions } from './types.js';

/** One service port as every node's agent programs it. */
export interface SharedEbpfPort {
  readonly sp: number;
  /** rev_nat_index: one per service port, shared by its frontends (from 1). */
  readonly revNatId: number;
  /** Every usable endpoint (the ClusterIP frontend's slots, and a Cluster NodePort's). */
  readonly all: Int32Array;
  readonly hasNodePort: boolean;
  /** Local policy on the NodePort frontends: their slots are each node's own backends. */
  readonly local: boolean;
  readonly nat: 'snat' | 'dsr';
  readonly affinityTimeoutNs: number;
  /** Its index among the Local ports with a nodePort, or -1. */
  readonly localIndex: number;
  /** Its LoadBalancer frontends' addresses (one per ingress IP, on the service port; a nodePort's only). */
  readonly lbIPs: readonly string[];
  /** loadBalancerSourceRanges of those frontends (the LB4_SRC_RANGE_MAP entries); absent: every source passes. */
  readonly sourceRanges?: readonly Cidr[];
}

export interface SharedEbpf {
  readonly servicePorts: readonly ServicePortInfo[];
  readonly options: ResolvedOptions;
  readonly ports: readonly SharedEbpfPort[];
  /** TCP nodePort → index into `ports`, or -1. */
  readonly byNodePort: Int32Array;
  /** TCP nodePort → index into `ports` of the first port with LoadBalancer frontends on it. */
  readonly lbByNodePort: ReadonlyMap<number, number>;
  /** The Local ports' indexes into `ports`, by local index. */
  readonly localPorts: Int32Array;
  /** Maglev tables of ports whose NodePort slots are node-independent, by port index; filled when first asked. */
  readonly maglev: Map<number, Int32Array>;
}

/** With `previous`, a partial sync: the unchanged ports' entries (and Maglev tables) are the previous objects. */
export function sharedEbpf(servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}, previous?: PreviousShared<SharedEbpf>): SharedEbpf {
  const resolved = resolveOptions(options);
  const kept = new Map<number, { readonly port: SharedEbpfPort; readonly index: number }>();
  if (previous !== undefined) previous.shared.ports.forEach((port, index) => previous.changed.has(port.sp) || kept.set(port.sp, { port, index }));
  const maglev = new Map<number, Int32Array>();
  const { nodePortMode } = resolved.ebpf;
  let maxNodePort = 65_535;
  for (const sp of servicePorts) if (sp.nodePort > maxNodePort) maxNodePort = sp.nodePort;
  const byNodePort = new Int32Array(maxNodePort + 1).fill(-1);
  const ports: SharedEbpfPort[] = [];
  const localPorts: number[] = [];
  const lbByNodePort = new Map<number, number>();
  const scratch = new IntList(64);
  const cat = new EndpointCategories();
  for (let i = 0; i < servicePorts.length; i++) {
    const sp = servicePorts[i];
    if (!isProxied(sp)) continue;
    const same = kept.get(i);
    if (same !== undefined && same.port.localIndex === (same.port.local ? localPorts.length : -1)) {
      if (same.port.hasNodePort && sp.protocol === 'TCP') byNodePort[sp.nodePort] = ports.length;
      if (same.port.lbIPs.length > 0 && sp.protocol === 'TCP' && !lbByNodePort.has(sp.nodePort)) lbByNodePort.set(sp.nodePort, ports.length);
      if (same.port.local) localPorts.push(ports.length);
      const table = previous?.shared.maglev.get(same.index);
      if (table !== undefined) maglev.set(ports.length, table);
      ports.push(same.port);
      continue;
    }
    scratch.length = 0;
    categorizeEndpoints(sp, '', scratch, cat);
    const hasNodePort = sp.nodePort > 0;
    // externalTrafficPolicy Local: the NodePort frontend lists only this node's backends
    // (pkg/service filters them for the external scope).
    const local = hasNodePort && externalPolicyLocal(sp);
    if (hasNodePort && sp.protocol === 'TCP') byNodePort[sp.nodePort] = ports.length;
    if (local) localPorts.push(ports.length);
    // A LoadBalancer frontend per ingress IP, on the service port, with the NodePort frontend's
    // backends and forwarding (pkg/loadbalancer: the LoadBalancer type is an external scope).
    const lbIPs = hasNodePort ? (sp.loadBalancerIPs ?? []) : [];
    if (lbIPs.length > 0 && sp.protocol === 'TCP' && !lbByNodePort.has(sp.nodePort)) lbByNodePort.set(sp.nodePort, ports.length);
    const ranges = (sp.loadBalancerSourceRanges ?? []).map((c) => parseCidr(c) as Cidr);
    ports.push({
      sp: i,
      revNatId: i + 1,
      all: scratch.data.slice(cat.clusterStart, cat.clusterStart + cat.clusterCount),
      hasNodePort,
      local,
      // hybrid: DSR for TCP, SNAT for UDP (the kube-proxy-free guide, "Hybrid DSR and SNAT Mode").
      nat: nodePortMode === 'dsr' || (nodePortMode === 'hybrid' && sp.protocol === 'TCP') ? 'dsr' : 'snat',
      affinityTimeoutNs: sp.sessionAffinity === 'ClientIP' ? sp.sessionAffinityTimeoutS * 1e9 : 0,
      localIndex: local ? localPorts.length - 1 : -1,
      lbIPs,
      ...(ranges.length > 0 ? { sourceRanges: ranges } : {}),
    });
  }
  return { servicePorts, options: resolved, ports, byNodePort, lbByNodePort, localPorts: Int32Array.from(localPorts), maglev };
}

/** `nodeName`'s backends for each Local port's NodePort frontends, by local index. */
export function ebpfLocalSlots(shared: SharedEbpf, nodeName: string): Int32Array[] {
  const scratch = new IntList(64);
  const cat = new EndpointCategories();
  return Array.from(shared.localPorts, (k) => {
    scratch.length = 0;
    categorizeEndpoints(shared.servicePorts[shared.ports[k].sp], nodeName, scratch, cat);
    return scratch.data.slice(cat.localStart, cat.localStart + cat.localCount);
  });
}

/** lbmap UpsertMaglevLookupTable: backends by name (sorted inside), each entry a backend slot. */
export function maglevFor(shared: SharedEbpf, sp: number, slots: Int32Array): Int32Array {
  const eps = shared.servicePorts[sp].endpoints;
  return maglevLookupTable(Array.from(slots, (e) => eps[e].key), shared.options.ebpf.maglevTableSize);
}
