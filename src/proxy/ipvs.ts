// IPVS mode compiled: one virtual server per (node IP × nodePort), real servers of weight 1,
// the node's scheduler state per virtual server, persistence for ClientIP affinity
// (pkg/proxy/ipvs/proxier.go). Lookup is a hash probe, so the modelled cost is a constant. The
// node-independent part is shared (ipvs-shared.ts); kernel state is the node's own.
// The file runs past 300 lines on purpose: the NodePort, load-balancer and ClusterIP virtual
// servers share one scheduling path and one kernel-state cache, which splitting would expose.

import { IntList } from '../engine/typed-arrays.js';
import { type Cidr, cidrContains, parseCidr } from '../net/ipv4.js';
import { EndpointCategories, categorizeEndpoints, internalPolicyLocal, isProxied } from './categorize.js';
import { type Routed, routeThrough } from './ipvs-route.js';
import { IpvsVirtualServerState, schedule } from './ipvs-schedulers.js';
import { type SharedIpvs, type SharedVirtualServer, ipvsLocalServers, sharedIpvs } from './ipvs-shared.js';
import { NodeProxyState } from './node-state.js';
import type { ServicePortInfo } from './service-map.js';
import { checkSharedOptions } from './shared-options.js';
import {
  type CompileOptions,
  type CostModel,
  type Destination,
  type IpvsScheduler,
  type NodeProxyTable,
  type ResolvedOptions,
  Verdict,
  resolveOptions,
} from './types.js';

/** One NodePort virtual server on this node. */
export interface IpvsVirtualServer {
  readonly sp: number;
  /** `nodeIP:nodePort/TCP`, the key of its kernel state. */
  readonly key: string;
  /** Real servers as endpoint indexes, sorted by `ip:port` (the kernel's list order is in its state). */
  readonly realServers: Int32Array;
  /** Cluster policy: KUBE-NODE-PORT-TCP marks for masquerade; Local ports are in -LOCAL-TCP and are not. */
  readonly masquerade: boolean;
  /** Local policy without a local endpoint: all endpoints loaded, replies bypass the node. */
  readonly replyLost: boolean;
  readonly persistentTimeoutNs: number;
  /**
   * A load-balancer IP's virtual server with loadBalancerSourceRanges: filter KUBE-PROXY-FIREWALL
   * matches KUBE-LOAD-BALANCER-FW and jumps to KUBE-SOURCE-RANGES-FIREWALL, which RETURNs sources
   * in KUBE-LOAD-BALANCER-SOURCE-CIDR (or -SOURCE-IP) and DROPs the rest, before IPVS sees them.
   */
  readonly sourceRanges?: readonly Cidr[];
}

export { type SharedIpvs, sharedIpvs } from './ipvs-shared.js';

/** IPVS never answers on a loopback address: kube-proxy's node address set leaves it out (ipvs/netlink_linux.go isValidForSet). */
const NO_VIRTUAL_SERVER = -1;

export class IpvsTable implements NodeProxyTable {
  readonly mode = 'ipvs' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  lastReplyLost = false;
  readonly options: ResolvedOptions;
  readonly scheduler: IpvsScheduler;
  readonly state: NodeProxyState;
  readonly shared: SharedIpvs;
  /** This node's local endpoints per Local virtual server (by local index). */
  private readonly localServers: Int32Array[];
  /**
   * The node's virtual servers by index, made on first use: NodePort ones [0, S) as in
   * `shared.servers`, load-balancer ones [S, S + L) as in `shared.lbServers`, then ClusterIP ones.
   */
  private readonly made = new Map<number, IpvsVirtualServer>();
  /** nodePort → index of the same service port's ClusterIP virtual server, made on first use. */
  private readonly clusterIPByNodePort = new Map<number, number>();
  private nextClusterIP: number;
  /** Per virtual server, resolved on first use. */
  private readonly routed = new Map<number, Routed>();
  private listed: IpvsVirtualServer[] | undefined;
  private lbListed: IpvsVirtualServer[] | undefined;
  // The virtual server last routed through, and its state: a node routes nearly every packet
  // through one, and two Map probes on a node not seen for a while cost more than the rest of
  // the lookup.
  private cachedV = -1;
  private cachedVs: IpvsVirtualServer | undefined;
  private cachedRouted: Routed | undefined;
  // What a connection through it reads, on this object, for the same reason: its state's counts,
  // its route, and whether it needs nothing else (no source ranges, no persistence).
  private cachedCounts: number[] = [];
  private cachedRoute: number[] = [];
  private cachedN = 0;
  private cachedPlain = false;
  private cachedExpiring = false;
  private cachedMasquerade = false;
  private cachedReplyLost = false;
  private lastVs = -1;
  private lastServer = -1;
  private lastPersisted = false;
  private lastSourceDropped = false;

  /** `shared`: the part compiled once for the snapshot's nodes (sharedIpvs of these service ports); else its own. */
  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    private readonly costs: CostModel,
    options: CompileOptions = {},
    shared?: SharedIpvs,
  ) {
    this.options = resolveOptions(options);
    this.scheduler = this.options.ipvsScheduler;
    this.state = options.state ?? new NodeProxyState();
    this.shared = shared ?? sharedIpvs(servicePorts, options);
    if (this.shared.servicePorts !== servicePorts) throw new Error('IpvsTable: the shared part was compiled from other service ports');
    checkSharedOptions('IpvsTable', this.shared.options, this.options);
    this.localServers = ipvsLocalServers(this.shared, nodeName);
    this.nextClusterIP = this.shared.servers.length + this.shared.lbServers.length;
  }

  /** The node's NodePort virtual servers in service-port order, for the renderers; made when asked. */
  get virtualServers(): readonly IpvsVirtualServer[] {
    this.listed ??= this.shared.servers.map((_, v) => this.vs(v));
    return this.listed;
  }

  /** Per TCP NodePort service port with load-balancer IPs: the virtual server on its first one. */
  get lbVirtualServers(): readonly IpvsVirtualServer[] {
    this.lbListed ??= this.shared.lbServers.map((_, l) => this.vs(this.shared.servers.length + l));
    return this.lbListed;
  }

  /** Virtual server `v` (a NodePort or load-balancer one: ClusterIP ones are made by serverFor). */
  private vs(v: number): IpvsVirtualServer {
    if (v === this.cachedV && this.cachedVs !== undefined) return this.cachedVs;
    let vs = this.made.get(v);
    if (vs === undefined) {
      const S = this.shared.servers.length;
      const lb = v >= S ? this.shared.lbServers[v - S] : undefined;
      const base = this.shared.servers[lb === undefined ? v : lb.server];
      vs = {
        sp: base.sp,
        key: lb === undefined ? `${this.options.nodeIP}:${base.nodePort}/TCP` : lb.key,
        realServers: this.realServersOf(base),
        masquerade: !base.local,
        replyLost: this.replyLostOf(base),
        persistentTimeoutNs: base.persistentTimeoutNs,
        ...(lb?.sourceRanges === undefined ? {} : { sourceRanges: lb.sourceRanges }),
      };
      this.made.set(v, vs);
    }
    return vs;
  }

  /**
   * syncEndpoint(onlyNodeLocalEndpoints): local endpoints, else every cluster endpoint
   * (kubernetes#97081: "the reply will have the POD address and will be discarded").
   */
  private realServersOf(vs: SharedVirtualServer): Int32Array {
    if (!vs.local) return vs.clusterServers;
    const local = this.localServers[vs.localIndex];
    return local.length > 0 ? local : vs.clusterServers;
  }

  private replyLostOf(vs: SharedVirtualServer): boolean {
    return vs.local && this.localServers[vs.localIndex].length === 0 && vs.hasEndpoints;
  }

  /**
   * The virtual server a packet to `to` reaches, or NO_VIRTUAL_SERVER. A ClusterIP virtual server
   * is made the first time it is asked for (most of 100k services never are): its real servers are
   * syncEndpoint's with onlyNodeLocalEndpoints = InternalPolicyLocal — the local endpoints, or when
   * the node has none every cluster endpoint ("Allow access from local PODs even if no local
   * endpoints exist", kubernetes#97081). Unlike iptables and nftables, nothing is dropped.
   */
  private serverFor(nodePort: number, to: Destination): number {
    if (to === 'node-port') return this.serverOf(nodePort);
    if (to === 'load-balancer-ip') {
      const l = this.shared.lbByNodePort.get(nodePort);
      return l === undefined ? NO_VIRTUAL_SERVER : this.shared.servers.length + l;
    }
    if (to !== 'cluster-ip') return NO_VIRTUAL_SERVER;
    const known = this.clusterIPByNodePort.get(nodePort);
    if (known !== undefined) return known;
    const sp = this.servicePorts.findIndex((x) => x.nodePort === nodePort && x.protocol === 'TCP' && isProxied(x));
    if (sp < 0) return NO_VIRTUAL_SERVER;
    const info = this.servicePorts[sp];
    const scratch = new IntList(64);
    const cat = new EndpointCategories();
    categorizeEndpoints(info, this.nodeName, scratch, cat, this.options.zone);
    const useLocal = internalPolicyLocal(info) && cat.localCount > 0;
    const start = useLocal ? cat.localStart : cat.clusterStart;
    const count = useLocal ? cat.localCount : cat.clusterCount;
    const v = this.nextClusterIP++;
    this.made.set(v, {
      sp,
      key: `${info.clusterIP}:${info.port}/TCP`,
      realServers: scratch.data.slice(start, start + count),
      // KUBE-SERVICES: "cluster ip + port for masquerade purpose", decided per packet by its source.
      masquerade: false,
      replyLost: false,
      persistentTimeoutNs: info.sessionAffinity === 'ClientIP' ? info.sessionAffinityTimeoutS * 1e9 : 0,
    });
    this.clusterIPByNodePort.set(nodePort, v);
    return v;
  }

  /**
   * KUBE-SERVICES' `-m set --match-set KUBE-CLUSTER-IP dst,dst ! -s <clusterCIDR> -j KUBE-MARK-MASQ`
   * (every source with --masquerade-all): a ClusterIP packet not from a pod is masqueraded.
   */
  private clusterIPMasquerade(clientIp: number): boolean {
    if (this.options.masqueradeAll) return true;
    if (this.options.podCIDR === '') return false;
    const cidr = parseCidr(this.options.podCIDR);
    if (cidr === undefined) throw new Error(`podCIDR ${this.options.podCIDR}: expected an IPv4 CIDR`);
    return !cidrContains(cidr, clientIp);
  }

  servicePortForNodePort(nodePort: number): number {
    const v = this.serverOf(nodePort);
    return v < 0 ? -1 : this.shared.servers[v].sp;
  }

  connect(nodePort: number, clientIp: number, nowNs: number, _random: () => number, _clientPort?: number, to: Destination = 'node-port'): number {
    const v = this.serverFor(nodePort, to);
    this.lastVs = v;
    this.lastServer = -1;
    this.lastPersisted = false;
    this.lastSourceDropped = false;
    this.lastReplyLost = false;
    this.lastMasquerade = false;
    this.lastCostNs = this.costs.ipvsLookupNs;
    if (v < 0) {
      // No virtual server: the host stack answers RST.
      this.lastRulesWalked = 1;
      return Verdict.NoService;
    }
    if (v === this.cachedV && this.cachedPlain) return this.connectCached(to, clientIp, nowNs);
    const vs = this.vs(v);
    const n = vs.realServers.length;
    this.lastRulesWalked = 1;
    if (vs.sourceRanges !== undefined) {
      // KUBE-PROXY-FIREWALL's KUBE-LOAD-BALANCER-FW match, then the SOURCE-CIDR set (ipset lookups).
      this.lastRulesWalked += 2;
      if (!vs.sourceRanges.some((c) => cidrContains(c, clientIp))) {
        this.lastSourceDropped = true;
        return Verdict.SourceRangeDrop;
      }
    }
    if (n === 0) return Verdict.Reject; // ip_vs_leave: no destination → ICMP port unreachable
    const routed = this.routedVia(v);
    const state = routed.state;
    const servers = routed.servers;
    if (this.scheduler === 'lc' || this.scheduler === 'wlc') state.expireInactive(nowNs);
    let pick = -1;
    if (vs.persistentTimeoutNs > 0) {
      this.lastRulesWalked++; // the persistence template lookup
      const t = state.templates.get(clientIp);
      if (t !== undefined && t.expiresNs > nowNs) {
        for (let k = 0; k < n; k++) if (servers[k] === t.server) pick = k;
        if (pick >= 0) {
          t.expiresNs = nowNs + vs.persistentTimeoutNs; // ip_vs_conn_put re-arms the template
          this.lastPersisted = true;
        }
      }
    }
    if (pick < 0) {
      pick = schedule(this.scheduler, state.counts, n, routed.route, clientIp);
      if (vs.persistentTimeoutNs > 0) {
        const t = state.templates.get(clientIp);
        if (t === undefined) state.templates.set(clientIp, { server: servers[pick], expiresNs: nowNs + vs.persistentTimeoutNs });
        else ((t.server = servers[pick]), (t.expiresNs = nowNs + vs.persistentTimeoutNs));
      }
    }
    state.counts[routed.route[2 * pick]]++;
    this.lastServer = pick;
    this.lastMasquerade = to === 'cluster-ip' ? this.clusterIPMasquerade(clientIp) : vs.masquerade;
    this.lastReplyLost = vs.replyLost;
    return routed.route[2 * pick + 1];
  }

  /** connect through the cached virtual server, which needs no more than its route: the general path's steps without its objects. */
  private connectCached(to: Destination, clientIp: number, nowNs: number): number {
    this.lastRulesWalked = 1;
    const counts = this.cachedCounts;
    const route = this.cachedRoute;
    if (this.scheduler === 'lc' || this.scheduler === 'wlc') (this.cachedRouted as Routed).state.expireInactive(nowNs);
    const pick = schedule(this.scheduler, counts, this.cachedN, route, clientIp);
    counts[route[2 * pick]]++;
    this.lastServer = pick;
    this.lastMasquerade = to === 'cluster-ip' ? this.clusterIPMasquerade(clientIp) : this.cachedMasquerade;
    this.lastReplyLost = this.cachedReplyLost;
    return route[2 * pick + 1];
  }

  /** The connection ends: no longer active; closed at `closedAtNs` (not a failed one), it counts as inactive. */
  release(nodePort: number, endpoint: number, closedAtNs?: number, to: Destination = 'node-port'): void {
    const v = this.serverFor(nodePort, to);
    if (v < 0) return;
    if (v === this.cachedV) {
      // The cached virtual server's route names the endpoint's place; anything else takes the checks below.
      const counts = this.cachedCounts;
      const p = this.cachedRoute[2 * this.cachedN + endpoint];
      if (p >= 0 && counts[p] > 0) {
        counts[p]--;
        if (closedAtNs === undefined) return;
        counts[p + 1]++;
        if (this.cachedExpiring) (this.cachedRouted as Routed).state.expires(p, closedAtNs);
        return;
      }
    }
    const vs = this.vs(v);
    const key = this.servicePorts[vs.sp].endpoints[endpoint]?.key;
    if (key === undefined) throw new Error(`release: no endpoint ${endpoint} behind nodePort ${nodePort}`);
    // The node's kernel state, without re-linking it to this (maybe older) table's real servers.
    const routed = v === this.cachedV ? this.cachedRouted : this.routed.get(v);
    const state = routed?.state ?? this.state.ipvs.get(vs.key);
    const known = routed === undefined ? -1 : routed.route[2 * routed.n + endpoint];
    const p = known >= 0 ? known : (state?.placeIfAny(key) ?? -1);
    if (state === undefined || p < 0 || state.counts[p] <= 0) throw new Error(`release: ${key} behind nodePort ${nodePort} has no active connection`);
    state.counts[p]--;
    if (closedAtNs !== undefined) state.closed(p, closedAtNs);
  }

  /** Active connections the kernel would show for a real server (ipvsadm ActiveConn). */
  activeConnections(nodePort: number, endpoint: number): number {
    const v = this.serverOf(nodePort);
    return this.routedVia(v).state.activeOf(this.servicePorts[this.shared.servers[v].sp].endpoints[endpoint].key);
  }

  explain(): string[] {
    if (this.lastVs < 0) return ['no virtual server'];
    const vs = this.vs(this.lastVs);
    const out = [`TCP ${vs.key.replace('/TCP', '')} ${this.scheduler}${vs.persistentTimeoutNs > 0 ? ' persistent' : ''}`];
    if (this.lastSourceDropped) return ['filter KUBE-PROXY-FIREWALL', 'filter KUBE-SOURCE-RANGES-FIREWALL DROP'];
    if (this.lastServer < 0) return [...out, 'no real server'];
    const ep = this.servicePorts[vs.sp].endpoints[this.routedVia(this.lastVs).route[2 * this.lastServer + 1]];
    out.push(`${this.lastPersisted ? 'template' : this.scheduler} -> ${ep.key}${this.lastMasquerade ? ' (masquerade)' : ''}${vs.replyLost ? ' (reply lost)' : ''}`);
    return out;
  }

  /**
   * The node's kernel state for virtual server `v`, its destination list brought in line with
   * this table's real servers the first time the table routes through it (the sync that
   * installed the table added and removed them).
   */
  private routedVia(v: number): Routed {
    if (v === this.cachedV && this.cachedRouted !== undefined) return this.cachedRouted;
    let r = this.routed.get(v);
    if (r === undefined) {
      const vs = this.vs(v);
      let s = this.state.ipvs.get(vs.key);
      if (s === undefined) this.state.ipvs.set(vs.key, (s = new IpvsVirtualServerState(this.scheduler === 'lc' || this.scheduler === 'wlc')));
      r = routeThrough(s, this.nodeName, this.servicePorts[vs.sp].endpoints, vs.realServers, this.scheduler === 'wrr' ? 'reset' : 'keep');
      this.routed.set(v, r);
    }
    const vs = this.vs(v);
    this.cachedV = v;
    this.cachedVs = vs;
    this.cachedRouted = r;
    this.cachedCounts = r.state.counts;
    this.cachedRoute = r.route;
    this.cachedN = r.n;
    this.cachedPlain = vs.sourceRanges === undefined && vs.persistentTimeoutNs === 0 && r.n > 0 && r.n === vs.realServers.length;
    this.cachedExpiring = r.state.expiring;
    this.cachedMasquerade = vs.masquerade;
    this.cachedReplyLost = vs.replyLost;
    return r;
  }

  private serverOf(nodePort: number): number {
    const byNodePort = this.shared.byNodePort;
    return nodePort < byNodePort.length ? byNodePort[nodePort] : -1;
  }
}
