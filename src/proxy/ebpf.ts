// Cilium's eBPF kube-proxy replacement compiled: the node's service map keyed by (address, port,
// protocol), each service's backend slots, the backend map, and per service either a random slot
// or a Maglev table indexed by the flow's hash (bpf/lib/lb.h lb4_lookup_service,
// lb4_select_backend_id_random / _maglev). NodePort traffic to a remote backend is SNATed or sent
// with DSR (bpf/lib/nodeport.h); ClientIP affinity lives in the node's LB4_AFFINITY_MAP. Every
// lookup is a hash probe, so the modelled cost is a constant whatever the number of Services.
// The file runs past 300 lines on purpose: the NodePort and LoadBalancer frontends share one
// backend pick (affinity, random or Maglev slot, SNAT or DSR), whose state splitting would expose.

import { type Cidr, cidrContains } from '../net/ipv4.js';
import { type SharedEbpf, type SharedEbpfPort, ebpfLocalSlots, maglevFor, sharedEbpf } from './ebpf-shared.js';
import { jhash3Words } from './jhash.js';
import { maglevSeeds } from './maglev.js';
import { NodeProxyState } from './node-state.js';
import type { ServicePortInfo } from './service-map.js';
import { checkSharedOptions } from './shared-options.js';
import { type CompileOptions, type CostModel, type Destination, type NodeProxyTable, type ResolvedOptions, Verdict, resolveOptions } from './types.js';

export { type SharedEbpf, sharedEbpf } from './ebpf-shared.js';

/** IANA protocol numbers, as the service map key and the flow hash carry them. */
const PROTO_NUMBER = { TCP: 6, UDP: 17, SCTP: 132 } as const;

/** Frontend kinds `cilium-dbg bpf lb list` prints in brackets. */
export type EbpfFrontendKind = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** One service map entry: a frontend and its backend slots (slot 0, the master, holds the count). */
export interface EbpfService {
  readonly sp: number;
  readonly kind: EbpfFrontendKind;
  /** false for the 0.0.0.0:nodePort surrogate and ClusterIPs (`non-routable`): only this node answers them. */
  readonly routable: boolean;
  readonly address: string;
  readonly port: number;
  readonly protocol: ServicePortInfo['protocol'];
  /** rev_nat_index: one per service port, shared by its frontends (node-local, from 1). */
  readonly revNatId: number;
  /** Backend slots 1..count as endpoint indexes of the service port (sorted `ip:port`). */
  readonly slots: Int32Array;
  /** Local policy on a NodePort frontend: only this node's backends are in the slots. */
  readonly local: boolean;
  /** How a remote backend's traffic leaves the node: SNAT (reply back through here) or DSR. */
  readonly nat: 'snat' | 'dsr';
  readonly affinityTimeoutNs: number;
  /**
   * loadBalancerSourceRanges of a LoadBalancer frontend (SVC_FLAG_SOURCE_RANGE, entries of the
   * LB4_SRC_RANGE_MAP LPM trie keyed by rev_nat_id); absent: every source passes.
   */
  readonly sourceRanges?: readonly Cidr[];
}

const bswap16 = (x: number): number => ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
const bswap32 = (x: number): number => (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;

const JHASH4_SEED = maglevSeeds().jhash4;

/**
 * bpf/lib/hash.h hash_from_tuple_v4: jhash_3words(saddr, dport << 16 | sport, nexthdr,
 * HASH_INIT4_SEED). The destination address is left out on purpose, "to allow for backend
 * selection to choose the same backend even on different service VIPs": every node hashes a flow
 * alike. The tuple holds addresses and ports in network byte order, read as host (little-endian)
 * integers.
 */
export function flowHash(clientIp: number, clientPort: number, servicePort: number, proto: number): number {
  return jhash3Words(bswap32(clientIp), ((bswap16(servicePort) << 16) | bswap16(clientPort)) >>> 0, proto, JHASH4_SEED);
}

export class EbpfTable implements NodeProxyTable {
  readonly mode = 'ebpf' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  lastReplyLost = false;
  lastDirectReply = false;
  readonly options: ResolvedOptions;
  readonly state: NodeProxyState;
  readonly shared: SharedEbpf;
  /** This node's backends for each Local port's NodePort frontends, by local index. */
  private readonly localSlots: Int32Array[];
  /** Maglev tables of this node's Local NodePort frontends, by port index, built on first use. */
  private readonly localMaglev = new Map<number, Int32Array>();
  private listed: EbpfService[] | undefined;
  /** Index into the shared ports of the last frontend found, or -1. */
  private lastPort = -1;
  /** Whether the last frontend found was the port's first LoadBalancer one (else its NodePort one on this node). */
  private lastViaLoadBalancer = false;
  private lastSlot = -1;
  private lastFromAffinity = false;

  /** `shared`: the part compiled once for the snapshot's nodes (sharedEbpf of these service ports); else its own. */
  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    private readonly costs: CostModel,
    options: CompileOptions = {},
    shared?: SharedEbpf,
  ) {
    this.options = resolveOptions(options);
    this.state = options.state ?? new NodeProxyState();
    this.shared = shared ?? sharedEbpf(servicePorts, options);
    if (this.shared.servicePorts !== servicePorts) throw new Error('EbpfTable: the shared part was compiled from other service ports');
    checkSharedOptions('EbpfTable', this.shared.options, this.options);
    this.localSlots = ebpfLocalSlots(this.shared, nodeName);
  }

  /**
   * The service map (LB4_SERVICES_MAP_V2), one entry per frontend: per service port its ClusterIP,
   * then (with a nodePort) the 0.0.0.0 surrogate that the socket and host paths match and this
   * node's address (pkg/service adds the NodePort frontend for every node address). Made when asked.
   */
  get services(): readonly EbpfService[] {
    if (this.listed === undefined) {
      const out: EbpfService[] = [];
      for (const port of this.shared.ports) {
        const sp = this.servicePorts[port.sp];
        const common = { sp: port.sp, protocol: sp.protocol, revNatId: port.revNatId, affinityTimeoutNs: port.affinityTimeoutNs };
        out.push({ ...common, kind: 'ClusterIP', routable: false, address: sp.clusterIP, port: sp.port, slots: port.all, local: false, nat: 'snat' });
        if (!port.hasNodePort) continue;
        const slots = this.slotsOf(port);
        for (const [address, routable] of [['0.0.0.0', false], [this.options.nodeIP, true]] as const) {
          out.push({ ...common, kind: 'NodePort', routable, address, port: sp.nodePort, slots, local: port.local, nat: port.nat });
        }
        // A LoadBalancer frontend per ingress IP, on the service port, with the NodePort frontend's
        // backends and forwarding (pkg/loadbalancer: the LoadBalancer type is an external scope).
        for (const address of port.lbIPs) {
          out.push({ ...common, kind: 'LoadBalancer', routable: true, address, port: sp.port, slots, local: port.local, nat: port.nat, ...(port.sourceRanges === undefined ? {} : { sourceRanges: port.sourceRanges }) });
        }
      }
      this.listed = out;
    }
    return this.listed;
  }

  /** The NodePort frontends' backend slots on this node. */
  private slotsOf(port: SharedEbpfPort): Int32Array {
    return port.local ? this.localSlots[port.localIndex] : port.all;
  }

  servicePortForNodePort(nodePort: number): number {
    const k = this.lookupNodePort(nodePort);
    return k < 0 ? -1 : this.shared.ports[k].sp;
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number, clientPort = 0, to: Destination = 'node-port'): number {
    if (to === 'load-balancer-ip') return this.connectLoadBalancer(nodePort, clientIp, nowNs, random, clientPort);
    // In-cluster clients meet Cilium's socket-level load balancing (connect() translated in the
    // client's own socket, no per-packet NAT), which this model does not have: the experiment
    // layer refuses them before any run (experiment/traffic-sources.ts).
    if (to === 'cluster-ip' || to === 'localhost-node-port') throw new Error(`ebpf: packets to ${to} are not modelled`);
    // lb4_lookup_service: one hash lookup of (node IP, nodePort, TCP) with backend_slot 0.
    this.startLookup(false);
    const k = this.lookupNodePort(nodePort);
    // No frontend: the packet goes up the stack, which answers RST.
    if (k < 0) return Verdict.NoService;
    return this.pickBackend(k, clientIp, nowNs, random, clientPort, nodePort);
  }

  /** A new connection's lookup begins: the last one's results cleared, one service-map lookup paid. */
  private startLookup(viaLoadBalancer: boolean): void {
    this.lastPort = -1;
    this.lastViaLoadBalancer = viaLoadBalancer;
    this.lastSlot = -1;
    this.lastFromAffinity = false;
    this.lastMasquerade = false;
    this.lastReplyLost = false;
    this.lastDirectReply = false;
    this.lastCostNs = this.costs.ebpfLookupNs;
    this.lastRulesWalked = 1;
  }

  /**
   * The first packet to the service port's first LoadBalancer address: its frontend, then
   * lb4_src_range_ok (bpf/lib/lb.h) when the service has source ranges, an LB4_SRC_RANGE_MAP
   * lookup whose miss drops the packet (DROP_NOT_IN_SRC_RANGE) in bpf_lxc and nodeport alike.
   */
  private connectLoadBalancer(nodePort: number, clientIp: number, nowNs: number, random: () => number, clientPort: number): number {
    this.startLookup(true);
    const k = this.shared.lbByNodePort.get(nodePort) ?? -1;
    if (k < 0) return Verdict.NoService;
    const port = this.shared.ports[k];
    if (port.sourceRanges !== undefined) {
      this.lastRulesWalked++;
      this.lastPort = k;
      if (!port.sourceRanges.some((c) => cidrContains(c, clientIp))) return Verdict.SourceRangeDrop;
    }
    return this.pickBackend(k, clientIp, nowNs, random, clientPort, this.servicePorts[port.sp].port);
  }

  /** Port `k`'s backend for the flow to `dport`: affinity, then the random slot or Maglev's entry for the flow's hash. */
  private pickBackend(k: number, clientIp: number, nowNs: number, random: () => number, clientPort: number, dport: number): number {
    this.lastPort = k;
    const svc = this.shared.ports[k];
    const slots = this.slotsOf(svc);
    const count = slots.length;
    if (count === 0) return svc.local ? Verdict.Drop : Verdict.Reject;
    let slot = -1;
    if (svc.affinityTimeoutNs > 0) {
      this.lastRulesWalked++; // lb4_affinity_backend_id: LB4_AFFINITY_MAP lookup
      slot = this.affinitySlot(svc, slots, clientIp, nowNs);
      this.lastFromAffinity = slot >= 0;
    }
    if (slot < 0) {
      slot = this.options.ebpf.algorithm === 'maglev' ? this.maglevSlot(k, flowHash(clientIp, clientPort, dport, PROTO_NUMBER.TCP)) : Math.floor(random() * count);
    }
    this.lastRulesWalked += 2; // the backend slot (or Maglev inner map) and LB4_BACKEND_MAP
    if (svc.affinityTimeoutNs > 0) this.updateAffinity(svc, slots, clientIp, slot, nowNs);
    this.lastSlot = slot;
    const endpoint = slots[slot];
    const remote = this.servicePorts[svc.sp].endpoints[endpoint].nodeName !== this.nodeName;
    // A local backend is reached by redirect and needs no NAT of the source; a remote one is
    // SNATed to this node (the reply returns through it) or tunnelled by DSR (it does not).
    this.lastMasquerade = remote && svc.nat === 'snat';
    this.lastDirectReply = remote && svc.nat === 'dsr';
    return endpoint;
  }

  /**
   * The backend map (LB4_BACKEND_MAP): backend id → `ip:port/protocol`, ids node-local from 1 in
   * the order the services list them; and per service port its endpoints' ids. Built when asked
   * (for `rules`): the per-packet path never needs an id.
   */
  backendMap(): { readonly addresses: readonly string[]; readonly idsOf: readonly Int32Array[] } {
    const ids = new Map<string, number>();
    const addresses: string[] = [''];
    const idsOf = this.servicePorts.map((sp) =>
      Int32Array.from(sp.endpoints, (e) => {
        const key = `${e.key}/${sp.protocol}`;
        let id = ids.get(key);
        if (id === undefined) ids.set(key, (id = addresses.push(key) - 1));
        return id;
      }),
    );
    return { addresses, idsOf };
  }

  /** Cilium keeps no per-backend connection counts: nothing to release. */
  release(_nodePort: number, _endpoint: number): void {}

  /** Frontend `s`'s Maglev table (an index into `services`): each of its M entries names one of its slots. */
  maglevTableOf(s: number): Int32Array {
    const svc = this.services[s];
    // A LoadBalancer frontend has its NodePort frontend's slots, so the same table.
    if (svc.kind === 'NodePort' || svc.kind === 'LoadBalancer') return this.maglevOfPort(this.portIndexOf(svc.sp));
    return maglevFor(this.shared, svc.sp, svc.slots);
  }

  private portIndexOf(sp: number): number {
    return this.shared.ports.findIndex((p) => p.sp === sp);
  }

  /** The NodePort frontends' Maglev table of shared port `k`: shared by every node unless the port is Local. */
  private maglevOfPort(k: number): Int32Array {
    const port = this.shared.ports[k];
    const cache = port.local ? this.localMaglev : this.shared.maglev;
    let t = cache.get(k);
    if (t === undefined) cache.set(k, (t = maglevFor(this.shared, port.sp, this.slotsOf(port))));
    return t;
  }

  explain(): string[] {
    if (this.lastPort < 0) return ['no service map entry'];
    const port = this.shared.ports[this.lastPort];
    const sp = this.servicePorts[port.sp];
    // connect looks up this node's own NodePort frontend; connectLoadBalancer the port's first LoadBalancer one.
    const frontend = this.lastViaLoadBalancer ? `${port.lbIPs[0]}:${sp.port}/${sp.protocol} (${port.revNatId}) LoadBalancer` : `${this.options.nodeIP}:${sp.nodePort}/${sp.protocol} (${port.revNatId}) NodePort`;
    const out = [`${frontend}${port.local ? ' Local' : ''}`];
    if (this.lastSlot < 0) return [...out, 'no backend'];
    const ep = sp.endpoints[this.slotsOf(port)[this.lastSlot]];
    const how = this.lastFromAffinity ? 'affinity' : this.options.ebpf.algorithm;
    out.push(`${how} slot ${this.lastSlot + 1} -> ${ep.key}${this.lastMasquerade ? ' (snat)' : ''}${this.lastDirectReply ? ' (dsr)' : ''}`);
    return out;
  }

  /** lb4_lookup_service of (this node's IP, nodePort, TCP): the port whose NodePort frontend it is, or -1. */
  private lookupNodePort(nodePort: number): number {
    const byNodePort = this.shared.byNodePort;
    return nodePort < byNodePort.length ? byNodePort[nodePort] : -1;
  }

  /** lb4_select_backend_id_maglev: the table entry at hash mod M names a backend, here its slot. */
  private maglevSlot(k: number, hash: number): number {
    const table = this.maglevOfPort(k);
    return table[hash % table.length];
  }

  /**
   * lb4_affinity_backend_id: the client's entry for this service (rev_nat id), if last used within
   * the timeout and its backend is still a slot of the service; a stale entry is deleted.
   */
  private affinitySlot(svc: SharedEbpfPort, slots: Int32Array, clientIp: number, nowNs: number): number {
    const entries = this.state.ebpfAffinity.get(svc.revNatId);
    const e = entries?.get(clientIp);
    if (entries === undefined || e === undefined) return -1;
    if (e.lastUsedNs + svc.affinityTimeoutNs >= nowNs) {
      const eps = this.servicePorts[svc.sp].endpoints;
      for (let k = 0; k < slots.length; k++) if (eps[slots[k]].key === e.backend) return k;
    }
    entries.delete(clientIp);
    return -1;
  }

  /** lb4_update_affinity_by_netns/by_addr: (client, rev_nat id) → backend, last used now. */
  private updateAffinity(svc: SharedEbpfPort, slots: Int32Array, clientIp: number, slot: number, nowNs: number): void {
    let entries = this.state.ebpfAffinity.get(svc.revNatId);
    if (entries === undefined) this.state.ebpfAffinity.set(svc.revNatId, (entries = new Map()));
    const backend = this.servicePorts[svc.sp].endpoints[slots[slot]].key;
    const e = entries.get(clientIp);
    if (e === undefined) entries.set(clientIp, { backend, lastUsedNs: nowNs });
    else ((e.backend = backend), (e.lastUsedNs = nowNs));
  }
}
