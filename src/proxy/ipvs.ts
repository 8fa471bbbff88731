// IPVS mode compiled: one virtual server per (node IP × nodePort), real servers of weight 1,
// the node's scheduler state per virtual server, persistence for ClientIP affinity
// (pkg/proxy/ipvs/proxier.go). Lookup is a hash probe, so the modelled cost is a constant. The
// node-independent part is shared (ipvs-shared.ts); kernel state is the node's own.

import { reconcileDestinations } from './ipvs-destinations.js';
import { IpvsVirtualServerState, schedule } from './ipvs-schedulers.js';
import { type SharedIpvs, type SharedVirtualServer, ipvsLocalServers, sharedIpvs } from './ipvs-shared.js';
import { NodeProxyState } from './node-state.js';
import type { ServicePortInfo } from './service-map.js';
import { checkSharedOptions } from './shared-options.js';
import {
  type CompileOptions,
  type CostModel,
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
}

/** A virtual server this table has routed through: the node's kernel state, its destination list and each entry's endpoint index. */
interface Routed {
  readonly state: IpvsVirtualServerState;
  readonly servers: string[];
  readonly endpoints: Int32Array;
}

export { type SharedIpvs, sharedIpvs } from './ipvs-shared.js';

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
  /** Per virtual server, resolved on first use. */
  private readonly routed = new Map<number, Routed>();
  private listed: IpvsVirtualServer[] | undefined;
  private lastVs = -1;
  private lastServer = -1;
  private lastPersisted = false;

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
  }

  /** The node's NodePort virtual servers in service-port order, for the renderers; made when asked. */
  get virtualServers(): readonly IpvsVirtualServer[] {
    this.listed ??= this.shared.servers.map((vs) => ({
      sp: vs.sp,
      key: this.keyOf(vs),
      realServers: this.realServersOf(vs),
      masquerade: !vs.local,
      replyLost: this.replyLostOf(vs),
      persistentTimeoutNs: vs.persistentTimeoutNs,
    }));
    return this.listed;
  }

  private keyOf(vs: SharedVirtualServer): string {
    return `${this.options.nodeIP}:${vs.nodePort}/TCP`;
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

  servicePortForNodePort(nodePort: number): number {
    const v = this.serverOf(nodePort);
    return v < 0 ? -1 : this.shared.servers[v].sp;
  }

  connect(nodePort: number, clientIp: number, nowNs: number, _random: () => number): number {
    const v = this.serverOf(nodePort);
    this.lastVs = v;
    this.lastServer = -1;
    this.lastPersisted = false;
    this.lastReplyLost = false;
    this.lastMasquerade = false;
    this.lastCostNs = this.costs.ipvsLookupNs;
    if (v < 0) {
      // No virtual server: the host stack answers RST.
      this.lastRulesWalked = 1;
      return Verdict.NoService;
    }
    const vs = this.shared.servers[v];
    const n = this.realServersOf(vs).length;
    this.lastRulesWalked = 1;
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
      pick = schedule(this.scheduler, state, servers, clientIp);
      if (vs.persistentTimeoutNs > 0) {
        const t = state.templates.get(clientIp);
        if (t === undefined) state.templates.set(clientIp, { server: servers[pick], expiresNs: nowNs + vs.persistentTimeoutNs });
        else ((t.server = servers[pick]), (t.expiresNs = nowNs + vs.persistentTimeoutNs));
      }
    }
    state.active.set(servers[pick], (state.active.get(servers[pick]) ?? 0) + 1);
    this.lastServer = pick;
    this.lastMasquerade = !vs.local;
    this.lastReplyLost = this.replyLostOf(vs);
    return routed.endpoints[pick];
  }

  /** The connection ends: no longer active; closed at `closedAtNs` (not a failed one), it counts as inactive. */
  release(nodePort: number, endpoint: number, closedAtNs?: number): void {
    const v = this.serverOf(nodePort);
    if (v < 0) return;
    const vs = this.shared.servers[v];
    const key = this.servicePorts[vs.sp].endpoints[endpoint]?.key;
    if (key === undefined) throw new Error(`release: no endpoint ${endpoint} behind nodePort ${nodePort}`);
    // The node's kernel state, without re-linking it to this (maybe older) table's real servers.
    const state = this.routed.get(v)?.state ?? this.state.ipvs.get(this.keyOf(vs));
    const c = state?.active.get(key) ?? 0;
    if (state === undefined || c <= 0) throw new Error(`release: ${key} behind nodePort ${nodePort} has no active connection`);
    state.active.set(key, c - 1);
    if (closedAtNs !== undefined) state.closed(key, closedAtNs);
  }

  /** Active connections the kernel would show for a real server (ipvsadm ActiveConn). */
  activeConnections(nodePort: number, endpoint: number): number {
    const v = this.serverOf(nodePort);
    return this.routedVia(v).state.active.get(this.servicePorts[this.shared.servers[v].sp].endpoints[endpoint].key) ?? 0;
  }

  explain(): string[] {
    if (this.lastVs < 0) return ['no virtual server'];
    const vs = this.shared.servers[this.lastVs];
    const out = [`TCP ${this.keyOf(vs).replace('/TCP', '')} ${this.scheduler}${vs.persistentTimeoutNs > 0 ? ' persistent' : ''}`];
    if (this.lastServer < 0) return [...out, 'no real server'];
    const ep = this.servicePorts[vs.sp].endpoints[this.routedVia(this.lastVs).endpoints[this.lastServer]];
    out.push(`${this.lastPersisted ? 'template' : this.scheduler} -> ${ep.key}${!vs.local ? ' (masquerade)' : ''}${this.replyLostOf(vs) ? ' (reply lost)' : ''}`);
    return out;
  }

  /**
   * The node's kernel state for virtual server `v`, its destination list brought in line with
   * this table's real servers the first time the table routes through it (the sync that
   * installed the table added and removed them).
   */
  private routedVia(v: number): Routed {
    let r = this.routed.get(v);
    if (r === undefined) {
      const vs = this.shared.servers[v];
      const key = this.keyOf(vs);
      let s = this.state.ipvs.get(key);
      if (s === undefined) this.state.ipvs.set(key, (s = new IpvsVirtualServerState()));
      const eps = this.servicePorts[vs.sp].endpoints;
      const real = this.realServersOf(vs);
      const keys = Array.from(real, (e) => eps[e].key);
      const next = reconcileDestinations(this.nodeName, s.list, s.cursor, keys, this.scheduler === 'wrr' ? 'reset' : 'keep');
      s.list = next.list;
      s.cursor = next.cursor;
      const indexOf = new Map(keys.map((k, i) => [k, real[i]]));
      r = { state: s, servers: s.list, endpoints: Int32Array.from(s.list, (k) => indexOf.get(k) as number) };
      this.routed.set(v, r);
    }
    return r;
  }

  private serverOf(nodePort: number): number {
    const byNodePort = this.shared.byNodePort;
    return nodePort < byNodePort.length ? byNodePort[nodePort] : -1;
  }
}
