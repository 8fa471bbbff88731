// Every node's data path: whether the node is up, its softirq CPUs and backlog, its conntrack
// table (netfilter's, or Cilium's BPF CT map in eBPF mode) and its proxy's table. Decides a new
// connection's fate and what it costs the node; a packet of an established connection is a
// conntrack hit. A connection forwarded to a pod on another node is tracked there too: its
// packets pass that node's netfilter hooks as a new flow (to the pod's IP), so it takes an entry
// in that node's table as well.

import type { Node } from '../cluster/model.js';
import type { Uniform } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import { s } from '../engine/time.js';
import { growFloat64 } from '../engine/typed-arrays.js';
import { BPF_CONNTRACK } from '../proxy/bpf-conntrack.js';
import { Conntrack, handleSlot } from '../proxy/conntrack.js';
import { ConntrackPool } from '../proxy/conntrack-pool.js';
import type { EndpointInfo, ServicePortInfo } from '../proxy/service-map.js';
import type { Destination, NodeProxyTable } from '../proxy/types.js';
import { SoftirqCpus } from '../traffic/softirq-cpus.js';
import type { SimConfig } from './config.js';
import { Fate, fateOfVerdict } from './fate.js';
import { NodeProxies } from '../proxy/node-proxies.js';
import type { PodFleet } from './pod-fleet.js';
import { tableDestination } from './sources.js';

const NO_ENDPOINTS: readonly EndpointInfo[] = [];
// A peer record's numbers (Dataplane.peers).
const PEER_OWNER = 0;
const PEER_NODE = 1;
const PEER_HANDLE = 2;
const PEER = 3;

export class Dataplane {
  /** 1 while the node is up; a node that is down answers nothing. */
  readonly up: Uint8Array;
  readonly proxies: NodeProxies;
  /** Every node's conntrack table, one store (the hot path uses it by node). */
  private readonly ct: ConntrackPool;
  /** Each node's table, for its counters. */
  readonly conntrack: Conntrack[];
  readonly conntrackHitNs: number;
  /** Every packet's cost before any lookup: receive, route, forward (proxy/types.ts). */
  readonly packetBaseNs: number;
  // What the last `connect` decided, besides its fate (a proxy table's `last*` fields, one level up).
  /** The table version that routed it. */
  lastTableVersion = 0;
  /** The endpoint index conntrack pinned, or -1. */
  lastEndpoint = -1;
  lastConntrackHandle = -1;
  /** The pod behind the endpoint (Fate.Forward only), or -1. */
  lastPod = -1;
  lastMasquerade = false;
  /** The backend's node replies to the client itself (eBPF DSR). */
  lastDirectReply = false;
  lastCostNs = 0;
  lastRulesWalked = 0;
  /** Where every connection's first packet is addressed (one destination per run): the nodePort, the load-balancer IP (traffic.via), the ClusterIP or localhost (traffic.destination). */
  private readonly to: Destination;
  private readonly cpus: SoftirqCpus;
  private readonly establishedNs: number;
  /** How long a closed connection's entry stays: the caller's TIME_WAIT, or BPF CT's close timeout. */
  private readonly closedNs: number | null;
  /** The pod behind each endpoint, by the target's endpoint list: the nodes that install one version share it. */
  private readonly podMapByEndpoints = new Map<readonly EndpointInfo[], Int32Array>();
  // The last endpoint list asked for and its pods: nearly every node routes on the same version,
  // so this answers, where a record per node cost a cache miss on a node not seen for a while.
  private lastEndpoints: readonly EndpointInfo[] | null = null;
  private lastPodMap: Int32Array = new Int32Array(0);
  // By conntrack slot (slots are shared by every node's table, so a handle names one node's
  // entry), PEER numbers: the connection (its ingress handle) whose entry on the pod's node is
  // recorded, that node, and the entry's handle there. A typed array grown on demand: a Map per
  // node cost an eighth of the run in hashing.
  private peers = new Float64Array(0);
  /** Peers of connections whose ingress entry an LRU table evicted (its slot reused), by handle. */
  private readonly evictedPeers = new Map<number, { readonly node: number; readonly handle: number }>();

  constructor(
    sim: Simulator,
    nodes: readonly Node[],
    /** The target first, then every other service port (background ones included). */
    servicePorts: readonly ServicePortInfo[],
    private readonly nodePort: number,
    private readonly pods: PodFleet,
    private readonly draws: Uniform,
    cfg: SimConfig,
  ) {
    this.up = new Uint8Array(nodes.length).fill(1);
    this.to = cfg.traffic.via === 'load-balancer' ? 'load-balancer-ip' : tableDestination(cfg.traffic.destination ?? 'node-port');
    // The experiment layer refuses these (experiment/traffic-sources.ts): Cilium's socket LB is not modelled.
    if (cfg.proxy.mode === 'ebpf' && (cfg.traffic.source ?? 'external') !== 'external') throw new Error(`simulate: traffic.source ${cfg.traffic.source} is not modelled in ebpf mode`);
    this.proxies = new NodeProxies(sim, nodes, servicePorts, {
      mode: cfg.proxy.mode,
      ipvsScheduler: cfg.proxy.ipvsScheduler,
      ebpf: cfg.proxy.ebpf,
      costs: cfg.proxy.costs,
      sync: cfg.proxy.sync,
      watchDelayNs: Math.round(cfg.proxy.watchDelayMs * 1e6),
      endNs: s(cfg.warmupS + cfg.durationS),
      ...(cfg.cluster.ranges === undefined ? {} : { podCIDR: cfg.cluster.ranges.podCIDR }),
      ...(cfg.proxy.iptablesLocalhostNodePorts === undefined ? {} : { localhostNodePorts: cfg.proxy.iptablesLocalhostNodePorts }),
    });
    // The eBPF data path tracks NodePort flows in its own CT map; netfilter never sees them.
    const bpf = cfg.proxy.mode === 'ebpf';
    this.ct = bpf ? new ConntrackPool(nodes.length, BPF_CONNTRACK.maxEntries, { whenFull: BPF_CONNTRACK.whenFull }) : new ConntrackPool(nodes.length, cfg.conntrack.maxEntries);
    this.conntrack = Conntrack.views(this.ct);
    this.conntrackHitNs = cfg.proxy.costs.conntrackHitNs;
    this.establishedNs = s(bpf ? BPF_CONNTRACK.establishedTimeoutS : cfg.conntrack.establishedTimeoutS);
    this.closedNs = bpf ? s(BPF_CONNTRACK.closeTimeoutS) : null;
    this.packetBaseNs = cfg.proxy.costs.packetBaseNs;
    this.cpus = new SoftirqCpus(nodes.length, cfg.nodes.softirqCores, cfg.nodes.backlogPackets);
  }

  /** Whether the node's backlog (netdev_max_backlog) has room for one more packet. */
  hasRoom(node: number, nowNs: number): boolean {
    return this.cpus.hasRoom(node, nowNs);
  }

  /** The packet waits for and uses `costNs` of the node's softirq CPU; returns when the core is done with it. */
  process(node: number, nowNs: number, costNs: number): number {
    return Math.round(this.cpus.admit(node, nowNs, costNs));
  }

  /**
   * The first packet of a new connection from `clientIp`:`clientPort` walks the node's current
   * table; an endpoint it picks is pinned in conntrack. The `last*` fields describe the decision.
   * `clientNode` is an in-cluster client's own node (-1: outside the cluster).
   */
  connect(node: number, clientIp: number, clientPort: number, nowNs: number, clientNode = -1): Fate {
    const table = this.proxies.tables[node];
    this.lastTableVersion = this.proxies.version(node);
    const verdict = table.connect(this.nodePort, clientIp, nowNs, this.draws, clientPort, this.to);
    this.lastMasquerade = table.lastMasquerade;
    this.lastDirectReply = table.lastDirectReply === true;
    this.lastCostNs = table.lastCostNs;
    this.lastRulesWalked = table.lastRulesWalked;
    this.lastEndpoint = -1;
    this.lastConntrackHandle = -1;
    this.lastPod = -1;
    if (clientNode < 0 ? table.lastReplyLost : this.replyBypasses(node, table, verdict, clientNode)) {
      // A connection that never establishes frees IPVS's count at once.
      if (verdict >= 0) table.release(this.nodePort, verdict, undefined, this.to);
      return Fate.ReplyLost;
    }
    if (verdict < 0) return fateOfVerdict(verdict);
    const pod = this.podOfEndpoint(table)[verdict];
    const handle = this.ct.insert(node, verdict, this.establishedNs, nowNs);
    if (handle < 0) {
      table.release(this.nodePort, verdict, undefined, this.to);
      return Fate.ConntrackFull;
    }
    this.setAsideEvictedPeer(handle);
    if (pod >= 0 && !this.trackOnPodNode(node, handle, this.pods.node[pod], nowNs)) {
      this.ct.remove(node, handle);
      table.release(this.nodePort, verdict, undefined, this.to);
      return Fate.ConntrackFull;
    }
    this.lastEndpoint = verdict;
    this.lastConntrackHandle = handle;
    if (pod < 0) return Fate.Stale;
    this.lastPod = pod;
    return Fate.Forward;
  }

  /**
   * An in-cluster client's connection, DNATed on `node` without SNAT, to a pod on a third node:
   * the pod answers the client's own address, which routes straight to the client's node and
   * skips `node`, so the reply is never un-DNATed and the client drops it (a pod calling another
   * node's nodePort under Local policy: the pod short-circuit, or IPVS's kubernetes#97081
   * fallback). When `node` is the client's own, or the pod's, the reply passes it.
   */
  private replyBypasses(node: number, table: NodeProxyTable, verdict: number, clientNode: number): boolean {
    if (verdict < 0 || table.lastMasquerade || node === clientNode) return false;
    const pod = this.podOfEndpoint(table)[verdict];
    return pod >= 0 && this.pods.node[pod] !== node;
  }

  /**
   * A slot reused while the record it holds names another, still-open connection (an LRU table
   * evicted that one's entry): the record moves aside, so that connection's close still finds
   * its entry on the pod's node. A netfilter table frees a slot only at a close, so never there.
   */
  private setAsideEvictedPeer(handle: number): void {
    const p = handleSlot(handle) * PEER;
    if (p >= this.peers.length) return;
    const owner = this.peers[p + PEER_OWNER];
    if (owner <= 0 || owner === handle) return;
    this.evictedPeers.set(owner, { node: this.peers[p + PEER_NODE], handle: this.peers[p + PEER_HANDLE] });
    this.peers[p + PEER_OWNER] = -1;
  }

  /** A connection forwarded to another node takes an entry there too; false when that table is full. */
  private trackOnPodNode(node: number, handle: number, podNode: number, nowNs: number): boolean {
    if (podNode === node) return true;
    const peer = this.ct.insert(podNode, 0, this.establishedNs, nowNs);
    if (peer < 0) return false;
    const p = handleSlot(handle) * PEER;
    if (p >= this.peers.length) this.peers = growFloat64(this.peers, Math.max(p + PEER, this.peers.length * 2, 64 * PEER));
    this.peers[p + PEER_OWNER] = handle;
    this.peers[p + PEER_NODE] = podNode;
    this.peers[p + PEER_HANDLE] = peer;
    return true;
  }

  /** The node's conntrack entries at `nowNs`, after the expiries and GC passes due by then. */
  conntrackEntries(node: number, nowNs: number): number {
    this.ct.settle(node, nowNs);
    return this.ct.size(node);
  }

  /** A connection closed: IPVS's least-connection schedulers stop counting it; conntrack keeps it in TIME_WAIT (BPF CT: its close timeout). */
  closeConnection(node: number, tableVersion: number, endpoint: number, conntrackHandle: number, timeWaitNs: number, atNs: number): void {
    this.proxies.tableAt(node, tableVersion).release(this.nodePort, endpoint, atNs, this.to);
    const closedNs = this.closedNs ?? timeWaitNs;
    this.ct.close(node, conntrackHandle, closedNs, atNs);
    this.closePeer(node, conntrackHandle, timeWaitNs, atNs);
  }

  /** The connection's entry on the pod's node, if it has one, closes (TIME_WAIT; BPF CT: its close timeout). */
  closePeer(node: number, conntrackHandle: number, timeWaitNs: number, atNs: number): void {
    if (conntrackHandle < 0) return;
    const closedNs = this.closedNs ?? timeWaitNs;
    const p = handleSlot(conntrackHandle) * PEER;
    if (p < this.peers.length && this.peers[p + PEER_OWNER] === conntrackHandle) {
      this.peers[p + PEER_OWNER] = -1;
      this.ct.close(this.peers[p + PEER_NODE], this.peers[p + PEER_HANDLE], closedNs, atNs);
      return;
    }
    // An entry an LRU table evicted while its connection lived had its record set aside.
    const orphan = this.evictedPeers.get(conntrackHandle);
    if (orphan === undefined) return;
    this.evictedPeers.delete(conntrackHandle);
    this.ct.close(orphan.node, orphan.handle, closedNs, atNs);
  }

  /** Whether the node would pass the balancer's probe: up, with a local endpoint (Local) or any (Cluster). */
  healthy(node: number, local: boolean): boolean {
    return this.up[node] === 1 && (local ? this.proxies.localEndpointCount(node) > 0 : this.proxies.anyEndpoint(node));
  }

  private podOfEndpoint(table: NodeProxyTable): Int32Array {
    const eps = table.servicePorts[table.servicePortForNodePort(this.nodePort)]?.endpoints ?? NO_ENDPOINTS;
    if (eps !== this.lastEndpoints) {
      let map = this.podMapByEndpoints.get(eps);
      if (map === undefined) this.podMapByEndpoints.set(eps, (map = Int32Array.from(eps, (e) => this.pods.indexOfIp(e.ip))));
      this.lastEndpoints = eps;
      this.lastPodMap = map;
    }
    return this.lastPodMap;
  }
}
