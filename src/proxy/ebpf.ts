// Cilium's eBPF kube-proxy replacement compiled: the node's service map keyed by (address, port,
// protocol), each service's backend slots, the backend map, and per service either a random slot
// or a Maglev table indexed by the flow's hash (bpf/lib/lb.h lb4_lookup_service,
// lb4_select_backend_id_random / _maglev). NodePort traffic to a remote backend is SNATed or sent
// with DSR (bpf/lib/nodeport.h); ClientIP affinity lives in the node's LB4_AFFINITY_MAP. Every
// lookup is a hash probe, so the modelled cost is a constant whatever the number of Services.

import { IntList } from '../engine/typed-arrays.js';
import { type Cidr, cidrContains, ipv4ToUint32, parseCidr } from '../net/ipv4.js';
import { EndpointCategories, categorizeEndpoints, externalPolicyLocal, isProxied } from './categorize.js';
import { jhash3Words } from './jhash.js';
import { maglevLookupTable, maglevSeeds } from './maglev.js';
import { NodeProxyState } from './node-state.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type CostModel, type Destination, type NodeProxyTable, type ResolvedOptions, Verdict, resolveOptions } from './types.js';

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

/** The service map key: (address, port, protocol) packed into one exact integer (< 2^50). */
const serviceKey = (address: number, port: number, proto: number): number => (address * 65_536 + port) * 256 + proto;

export class EbpfTable implements NodeProxyTable {
  readonly mode = 'ebpf' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  lastReplyLost = false;
  lastDirectReply = false;
  readonly options: ResolvedOptions;
  /** The service map (LB4_SERVICES_MAP_V2), one entry per frontend. */
  readonly services: EbpfService[] = [];
  readonly state: NodeProxyState;
  private readonly byKey = new Map<number, number>();
  /** nodePort → the service map index of its service port's first LoadBalancer frontend. */
  private readonly lbByNodePort = new Map<number, number>();
  private readonly nodeAddress: number;
  /** Per service, its Maglev table (slot index per entry), built on first use: most are never asked. */
  private readonly maglev: (Int32Array | undefined)[] = [];
  private lastService = -1;
  private lastSlot = -1;
  private lastFromAffinity = false;

  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    private readonly costs: CostModel,
    options: CompileOptions = {},
  ) {
    this.options = resolveOptions(options);
    this.state = options.state ?? new NodeProxyState();
    this.nodeAddress = ipv4ToUint32(this.options.nodeIP);
    const scratch = new IntList(64);
    const cat = new EndpointCategories();
    const { nodePortMode } = this.options.ebpf;
    for (let i = 0; i < servicePorts.length; i++) {
      const sp = servicePorts[i];
      if (!isProxied(sp)) continue;
      const revNatId = i + 1;
      const affinityTimeoutNs = sp.sessionAffinity === 'ClientIP' ? sp.sessionAffinityTimeoutS * 1e9 : 0;
      scratch.length = 0;
      categorizeEndpoints(sp, nodeName, scratch, cat);
      const all = scratch.data.slice(cat.clusterStart, cat.clusterStart + cat.clusterCount);
      this.add({ sp: i, kind: 'ClusterIP', routable: false, address: sp.clusterIP, port: sp.port, protocol: sp.protocol, revNatId, slots: all, local: false, nat: 'snat', affinityTimeoutNs });
      if (sp.nodePort <= 0) continue;
      // externalTrafficPolicy Local: the NodePort frontend lists only this node's backends
      // (pkg/service filters them for the external scope); with none, the lookup finds a
      // service without backends and the packet is dropped (DROP_NO_SERVICE).
      const local = externalPolicyLocal(sp);
      const slots = local ? scratch.data.slice(cat.localStart, cat.localStart + cat.localCount) : all;
      // hybrid: DSR for TCP, SNAT for UDP (the kube-proxy-free guide, "Hybrid DSR and SNAT Mode").
      const nat = nodePortMode === 'dsr' || (nodePortMode === 'hybrid' && sp.protocol === 'TCP') ? 'dsr' : 'snat';
      // pkg/service adds the NodePort frontend for every node address, plus the 0.0.0.0 surrogate
      // that the socket and host paths match.
      for (const [address, routable] of [['0.0.0.0', false], [this.options.nodeIP, true]] as const) {
        this.add({ sp: i, kind: 'NodePort', routable, address, port: sp.nodePort, protocol: sp.protocol, revNatId, slots, local, nat, affinityTimeoutNs });
      }
      // A LoadBalancer frontend per ingress IP, on the service port, with the NodePort frontend's
      // backends and forwarding (pkg/loadbalancer: the LoadBalancer type is an external scope).
      const ranges = (sp.loadBalancerSourceRanges ?? []).map((c) => parseCidr(c) as Cidr);
      for (const address of sp.loadBalancerIPs ?? []) {
        if (sp.protocol === 'TCP' && !this.lbByNodePort.has(sp.nodePort)) this.lbByNodePort.set(sp.nodePort, this.services.length);
        this.add({ sp: i, kind: 'LoadBalancer', routable: true, address, port: sp.port, protocol: sp.protocol, revNatId, slots, local, nat, affinityTimeoutNs, ...(ranges.length > 0 ? { sourceRanges: ranges } : {}) });
      }
    }
  }

  servicePortForNodePort(nodePort: number): number {
    const s = this.lookupService(this.nodeAddress, nodePort, PROTO_NUMBER.TCP);
    return s < 0 ? -1 : this.services[s].sp;
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number, clientPort = 0, to: Destination = 'node-port'): number {
    if (to === 'load-balancer-ip') return this.connectLoadBalancer(nodePort, clientIp, nowNs, random, clientPort);
    // In-cluster clients meet Cilium's socket-level load balancing (connect() translated in the
    // client's own socket, no per-packet NAT), which this model does not have: the experiment
    // layer refuses them before any run (experiment/traffic-sources.ts).
    if (to === 'cluster-ip' || to === 'localhost-node-port') throw new Error(`ebpf: packets to ${to} are not modelled`);
    this.lastService = -1;
    this.lastSlot = -1;
    this.lastFromAffinity = false;
    this.lastMasquerade = false;
    this.lastReplyLost = false;
    this.lastDirectReply = false;
    this.lastCostNs = this.costs.ebpfLookupNs;
    // lb4_lookup_service: one hash lookup of (node IP, nodePort, TCP) with backend_slot 0.
    this.lastRulesWalked = 1;
    const s = this.lookupService(this.nodeAddress, nodePort, PROTO_NUMBER.TCP);
    // No frontend: the packet goes up the stack, which answers RST.
    if (s < 0) return Verdict.NoService;
    return this.pickBackend(s, clientIp, nowNs, random, clientPort, nodePort);
  }

  /**
   * The first packet to the service port's first LoadBalancer address: its frontend, then
   * lb4_src_range_ok (bpf/lib/lb.h) when the service has source ranges, an LB4_SRC_RANGE_MAP
   * lookup whose miss drops the packet (DROP_NOT_IN_SRC_RANGE) in bpf_lxc and nodeport alike.
   */
  private connectLoadBalancer(nodePort: number, clientIp: number, nowNs: number, random: () => number, clientPort: number): number {
    this.lastService = -1;
    this.lastSlot = -1;
    this.lastFromAffinity = false;
    this.lastMasquerade = false;
    this.lastReplyLost = false;
    this.lastDirectReply = false;
    this.lastCostNs = this.costs.ebpfLookupNs;
    this.lastRulesWalked = 1;
    const s = this.lbByNodePort.get(nodePort) ?? -1;
    if (s < 0) return Verdict.NoService;
    const svc = this.services[s];
    if (svc.sourceRanges !== undefined) {
      this.lastRulesWalked++;
      this.lastService = s;
      if (!svc.sourceRanges.some((c) => cidrContains(c, clientIp))) return Verdict.SourceRangeDrop;
    }
    return this.pickBackend(s, clientIp, nowNs, random, clientPort, svc.port);
  }

  /** Service `s`'s backend for the flow to `dport`: affinity, then the random slot or Maglev's entry for the flow's hash. */
  private pickBackend(s: number, clientIp: number, nowNs: number, random: () => number, clientPort: number, dport: number): number {
    this.lastService = s;
    const svc = this.services[s];
    const count = svc.slots.length;
    if (count === 0) return svc.local ? Verdict.Drop : Verdict.Reject;
    let slot = -1;
    if (svc.affinityTimeoutNs > 0) {
      this.lastRulesWalked++; // lb4_affinity_backend_id: LB4_AFFINITY_MAP lookup
      slot = this.affinitySlot(svc, clientIp, nowNs);
      this.lastFromAffinity = slot >= 0;
    }
    if (slot < 0) {
      slot = this.options.ebpf.algorithm === 'maglev' ? this.maglevSlot(s, flowHash(clientIp, clientPort, dport, PROTO_NUMBER.TCP)) : Math.floor(random() * count);
    }
    this.lastRulesWalked += 2; // the backend slot (or Maglev inner map) and LB4_BACKEND_MAP
    if (svc.affinityTimeoutNs > 0) this.updateAffinity(svc, clientIp, slot, nowNs);
    this.lastSlot = slot;
    const endpoint = svc.slots[slot];
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

  /** Service `s`'s Maglev table: each of its M entries names one of the service's slots. */
  maglevTableOf(s: number): Int32Array {
    let t = this.maglev[s];
    if (t === undefined) {
      const svc = this.services[s];
      const eps = this.servicePorts[svc.sp].endpoints;
      // lbmap UpsertMaglevLookupTable: backends by name (sorted inside), each entry a backend.
      t = maglevLookupTable(Array.from(svc.slots, (e) => eps[e].key), this.options.ebpf.maglevTableSize);
      this.maglev[s] = t;
    }
    return t;
  }

  explain(): string[] {
    if (this.lastService < 0) return ['no service map entry'];
    const svc = this.services[this.lastService];
    const out = [`${svc.address}:${svc.port}/${svc.protocol} (${svc.revNatId}) ${svc.kind}${svc.local ? ' Local' : ''}`];
    if (this.lastSlot < 0) return [...out, 'no backend'];
    const ep = this.servicePorts[svc.sp].endpoints[svc.slots[this.lastSlot]];
    const how = this.lastFromAffinity ? 'affinity' : this.options.ebpf.algorithm;
    out.push(`${how} slot ${this.lastSlot + 1} -> ${ep.key}${this.lastMasquerade ? ' (snat)' : ''}${this.lastDirectReply ? ' (dsr)' : ''}`);
    return out;
  }

  private add(svc: EbpfService): void {
    const key = serviceKey(ipv4ToUint32(svc.address), svc.port, PROTO_NUMBER[svc.protocol]);
    this.byKey.set(key, this.services.length);
    this.services.push(svc);
  }

  private lookupService(address: number, port: number, proto: number): number {
    return this.byKey.get(serviceKey(address, port, proto)) ?? -1;
  }

  /** lb4_select_backend_id_maglev: the table entry at hash mod M names a backend, here its slot. */
  private maglevSlot(s: number, hash: number): number {
    const table = this.maglevTableOf(s);
    return table[hash % table.length];
  }

  /**
   * lb4_affinity_backend_id: the client's entry for this service (rev_nat id), if last used within
   * the timeout and its backend is still a slot of the service; a stale entry is deleted.
   */
  private affinitySlot(svc: EbpfService, clientIp: number, nowNs: number): number {
    const entries = this.state.ebpfAffinity.get(svc.revNatId);
    const e = entries?.get(clientIp);
    if (entries === undefined || e === undefined) return -1;
    if (e.lastUsedNs + svc.affinityTimeoutNs >= nowNs) {
      const eps = this.servicePorts[svc.sp].endpoints;
      for (let k = 0; k < svc.slots.length; k++) if (eps[svc.slots[k]].key === e.backend) return k;
    }
    entries.delete(clientIp);
    return -1;
  }

  /** lb4_update_affinity_by_netns/by_addr: (client, rev_nat id) → backend, last used now. */
  private updateAffinity(svc: EbpfService, clientIp: number, slot: number, nowNs: number): void {
    let entries = this.state.ebpfAffinity.get(svc.revNatId);
    if (entries === undefined) this.state.ebpfAffinity.set(svc.revNatId, (entries = new Map()));
    const backend = this.servicePorts[svc.sp].endpoints[svc.slots[slot]].key;
    const e = entries.get(clientIp);
    if (e === undefined) entries.set(clientIp, { backend, lastUsedNs: nowNs });
    else ((e.backend = backend), (e.lastUsedNs = nowNs));
  }
}
