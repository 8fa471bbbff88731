// A request's life, read top to bottom as it happens: the client sends it → it reaches the
// ingress node, whose softirq CPU walks the proxy's rules (or hits conntrack) → after the softirq
// the packet is forwarded (maybe a second hop) or dropped, rejected, retransmitted → it reaches the
// pod, waits and is served → the reply travels back and is delivered → the request is released.
// The units it asks (dataplane, pods, network, balancer) own their state; this one owns the
// request table and the handlers. It runs past 300 lines on purpose: the path is one story, and
// a newcomer follows one request through it without jumping between files.

import type { Distribution } from '../engine/distributions.js';
import type { RandomStreams, Uniform } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import { Admission } from '../engine/station.js';
import { s } from '../engine/time.js';
import { OUTCOMES, Outcome } from '../metrics/outcome.js';
import { Clients } from '../traffic/clients.js';
import { durationNs } from '../traffic/duration.js';
import type { Firewall } from '../traffic/firewall.js';
import type { Balancer } from './balancer.js';
import type { SimConfig } from './config.js';
import type { Dataplane } from './dataplane.js';
import { Fate } from './fate.js';
import type { Network } from './network.js';
import type { Outcomes } from './outcomes.js';
import type { PodFleet } from './pod-fleet.js';
import { RequestTable } from './requests.js';
import type { ClientSources } from './sources.js';

/** Linux's initial SYN retransmission timeout (TCP_TIMEOUT_INIT), doubled on each retry. */
const SYN_RTO_NS = 1e9;
/** Linux's TCP_RTO_MIN: the soonest a lost data segment is resent. */
const TCP_MIN_RTO_NS = 200e6;
/**
 * Packets each direction of a request carries (RFC 9293's handshake and close): a new
 * connection's client sends SYN, ACK, the request, FIN and the last ACK, and the server SYN-ACK,
 * the reply and its FIN (ACKs of data ride on data or are delayed, and are left out); a request
 * on an open connection is one packet each way. The handshake and close are charged with the
 * request and the reply they surround.
 */
const NEW_CONNECTION_PACKETS_OUT = 5;
const NEW_CONNECTION_PACKETS_BACK = 3;

export interface LifecycleUnits {
  readonly clients: Clients;
  readonly network: Network;
  readonly dataplane: Dataplane;
  readonly pods: PodFleet;
  readonly outcomes: Outcomes;
  readonly balancer: Balancer;
  /** A firewall before kube-proxy (nodes.firewall); absent: none. */
  readonly firewall?: Firewall;
  /** The cloud balancer's own source ranges (the annotation kube-proxy ignores); absent: none. */
  readonly balancerFilter?: Firewall;
  /** Where each client sits: its address, the node that routes it, the hop between them. */
  readonly sources: ClientSources;
}

export class RequestLifecycle {
  readonly requests = new RequestTable();
  /** Requests sent and outcomes reported, for the run's own books. */
  private sentCount = 0;
  private reportedCount = 0;
  /** Requests whose client gave up (their outcome is reported) still waiting for their last event. */
  private abandonedLive = 0;
  private readonly closedLoop: boolean;
  private readonly deliverNow: boolean;
  private readonly warmupNs: number;
  private readonly endNs: number;
  private readonly connectTimeoutNs: number;
  private readonly requestTimeoutNs: number;
  private readonly timeWaitNs: number;
  private readonly arrivalGap: Distribution;
  private readonly pickClient: Uniform;
  private readonly serviceTime: Distribution;
  private readonly thinkTime: Distribution;
  private readonly clients: Clients;
  private readonly network: Network;
  private readonly dataplane: Dataplane;
  private readonly pods: PodFleet;
  private readonly outcomes: Outcomes;
  private readonly balancer: Balancer;
  private readonly firewall: Firewall | undefined;
  private readonly balancerFilter: Firewall | undefined;
  private readonly sources: ClientSources;
  private readonly SEND: number;
  private readonly AT_NODE: number;
  private readonly AT_POD: number;
  private readonly SERVICE_DONE: number;
  private readonly DELIVERED: number;
  private readonly CLIENT_TIMEOUT: number;
  /** Per outcome code, the event that releases a request with it. */
  private readonly FAIL: readonly number[];

  constructor(
    private readonly sim: Simulator,
    cfg: SimConfig,
    streams: RandomStreams,
    units: LifecycleUnits,
  ) {
    ({ clients: this.clients, network: this.network, dataplane: this.dataplane, pods: this.pods, outcomes: this.outcomes, balancer: this.balancer, sources: this.sources } = units);
    this.firewall = units.firewall;
    this.balancerFilter = units.balancerFilter;
    this.closedLoop = cfg.traffic.model === 'closed';
    this.warmupNs = s(cfg.warmupS);
    this.endNs = this.warmupNs + s(cfg.durationS);
    this.connectTimeoutNs = s(cfg.traffic.connectTimeoutS);
    this.requestTimeoutNs = s(cfg.traffic.requestTimeoutS);
    this.timeWaitNs = s(cfg.conntrack.timeWaitS);
    // Every random consumer draws from its own named stream.
    this.arrivalGap = durationNs({ dist: 'exponential', meanMs: 1000 / cfg.traffic.ratePerS }, streams.stream('arrivals'));
    this.pickClient = streams.stream('clients');
    this.serviceTime = durationNs(cfg.pods.serviceTime, streams.stream('service'));
    this.thinkTime = durationNs(cfg.traffic.thinkTimeMs, streams.stream('think'));
    // When nothing the simulation does depends on the moment a reply lands — no keep-alive
    // connection to free, no closed-loop client to wake, no IPVS connection count to lower — the
    // reply is accounted when it is sent, at its known arrival time: one event less per request.
    const countsConnections = cfg.proxy.mode === 'ipvs' && ['lc', 'wlc', 'sed', 'nq'].includes(cfg.proxy.ipvsScheduler);
    this.deliverNow = !this.closedLoop && cfg.traffic.requestsPerConnection === 1 && !countsConnections;
    this.SEND = sim.register('sendRequest', (client) => this.send(client));
    this.AT_NODE = sim.register('atNode', (r) => this.atNode(r));
    this.AT_POD = sim.register('atPod', (r) => this.atPod(r));
    this.SERVICE_DONE = sim.register('serviceDone', (r) => this.serviceDone(r));
    this.DELIVERED = sim.register('delivered', (r) => this.deliver(r, this.sim.now));
    this.CLIENT_TIMEOUT = sim.register('clientTimeout', (r) => this.clientTimeout(r));
    this.FAIL = OUTCOMES.map((name, code) => sim.register(`fail.${name}`, (r) => this.release(r, code)));
  }

  /** The first arrivals: one Poisson stream for all clients (open loop), or each client after a think time (closed). */
  start(): void {
    if (this.closedLoop) for (let c = 0; c < this.clients.count; c++) this.sim.schedule(Math.round(this.thinkTime.sample()), this.SEND, c);
    else this.sim.schedule(Math.round(this.arrivalGap.sample()), this.SEND, -1);
  }

  /** Requests sent whose outcome is not reported yet. */
  get inFlight(): number {
    return this.requests.live - this.abandonedLive;
  }

  /** The run's books: every request sent has ended or is still in flight. */
  checkBooks(): void {
    if (this.sentCount !== this.reportedCount + this.inFlight) {
      throw new Error(`simulate: ${this.sentCount} requests sent but ${this.reportedCount} ended and ${this.inFlight} in flight`);
    }
  }

  // Open loop: Poisson arrivals over all clients (a superposition of Poisson clients is Poisson,
  // so one pending arrival serves them all). Closed loop: the event carries its client.
  private send(closedClient: number): void {
    const { sim, requests: req, clients } = this;
    const now = sim.now;
    if (now >= this.endNs) return;
    if (!this.closedLoop) sim.schedule(Math.round(this.arrivalGap.sample()), this.SEND, -1);
    const client = this.closedLoop ? closedClient : Math.floor(this.pickClient() * clients.count);
    // A client pod or host process on a failed node is gone with it: it sends nothing (a closed-loop
    // one tries again after its think time, in case the node is back).
    const home = this.sources.clientNode(client);
    if (home >= 0 && this.dataplane.up[home] === 0) {
      if (this.closedLoop) sim.schedule(Math.round(this.thinkTime.sample()), this.SEND, client);
      return;
    }
    const r = req.alloc();
    this.sentCount++;
    req.client[r] = client;
    req.sentAt[r] = now;
    req.networkNs[r] = 0;
    req.dataplaneNs[r] = 0;
    req.podQueueNs[r] = 0;
    req.serviceNs[r] = 0;
    req.transmissions[r] = 1;
    req.moved[r] = 0;
    req.fate[r] = Fate.Forward;
    req.endpoint[r] = -1;
    req.conntrackHandle[r] = -1;
    req.pod[r] = -1;
    req.directReply[r] = 0;
    req.abandoned[r] = 0;
    req.timeoutHandle[r] = this.closedLoop ? sim.scheduleCancellable(this.requestTimeoutNs, this.CLIENT_TIMEOUT, r) : -1;
    req.measured[r] = now >= this.warmupNs ? 1 : 0;
    this.closeIfDrained(client);
    const reused = clients.reuse(client);
    let node: number;
    if (reused > 0) {
      // The request rides this connection: its conntrack entry, pod and proxy decision.
      req.conn[r] = reused;
      req.newConnection[r] = 0;
      node = clients.node(client);
      req.pod[r] = clients.pod(client);
      req.endpoint[r] = clients.endpoint(client);
      req.masqueraded[r] = clients.masqueraded(client);
      req.directReply[r] = clients.directReply(client);
      req.conntrackHandle[r] = clients.conntrackHandle(client);
      req.tableVersion[r] = clients.tableVersion(client);
      req.connIncarnation[r] = clients.incarnation(client);
      if (this.sources.external && this.balancer.withdrawn[node] === 1) node = this.moveConnection(r, client);
    } else {
      // An in-cluster client bypasses the ingress: its own node's rules (or the node it calls) route it.
      node = this.sources.external ? this.balancer.pick() : this.sources.walkNode(client);
      req.conn[r] = clients.open(client, node);
      req.newConnection[r] = 1;
    }
    req.ingressNode[r] = node;
    if (req.measured[r] === 1) this.outcomes.sent(node);
    if (node < 0) {
      // No node in service at the balancer: the client's SYNs go unanswered.
      sim.schedule(this.connectTimeoutNs, this.FAIL[Outcome.Timeout], r);
      return;
    }
    const d = this.sources.hopNs(client, node);
    req.networkNs[r] += d;
    sim.schedule(d, this.AT_NODE, r);
  }

  /**
   * The balancer has withdrawn the connection's node, so this packet, mid-stream, goes to another
   * node, which holds no state for the flow and routes it as new. The connection survives only
   * if that node picks the same pod and the pod sees the same source — neither node SNATed it
   * (Cilium: Maglev picks by the flow's hash, DSR keeps the client's address); otherwise the pod
   * that gets the packet answers RST (Fate.Stale). The old node's entry is left to time out.
   * Returns the new node, or -1 when none is in service.
   */
  private moveConnection(r: number, client: number): number {
    const { requests: req, dataplane } = this;
    const node = this.balancer.pick();
    if (node < 0) return node;
    // The flow's entry on the pod's node, made for the old path, ends with it (the new node makes its own).
    dataplane.closePeer(this.clients.node(client), req.conntrackHandle[r], this.timeWaitNs, this.sim.now);
    const fate = dataplane.connect(node, this.clients.ip(client), Clients.sourcePort(req.conn[r]), this.sim.now);
    const kept = fate === Fate.Forward && dataplane.lastPod === req.pod[r] && !dataplane.lastMasquerade && req.masqueraded[r] === 0;
    // A fate other than Forward (a full table, no backend) is the new node's own; a forwarded
    // packet reaching another pod, or one that now sees another source, is reset (Stale).
    req.fate[r] = fate !== Fate.Forward ? fate : kept ? Fate.Forward : Fate.Stale;
    // The new node walked its table for this packet: its softirq pays the walk, not a conntrack hit.
    req.moved[r] = 1;
    this.recordDecision(r);
    this.clients.move(client, node, dataplane.lastEndpoint, dataplane.lastMasquerade, dataplane.lastConntrackHandle, dataplane.lastTableVersion, dataplane.lastDirectReply);
    return node;
  }

  /**
   * A terminating pod that stopped listening closes its idle keep-alive connections (as Go's
   * Server.Shutdown and nginx's graceful quit do): the client's next request opens a new one.
   */
  private closeIfDrained(client: number): void {
    const { clients, pods } = this;
    const pod = clients.pod(client);
    if (pod < 0 || pods.terminating[pod] === 0 || pods.listening[pod] === 1 || !clients.closeIdle(client)) return;
    this.dataplane.closeConnection(clients.node(client), clients.tableVersion(client), clients.endpoint(client), clients.conntrackHandle(client), this.timeWaitNs, this.sim.now);
  }

  // The packet reaches the node: a new connection walks the proxy's rules, a packet of an
  // established one is translated by conntrack; either way it costs softirq CPU there, FIFO.
  private atNode(r: number): void {
    const { sim, requests: req, dataplane } = this;
    const node = req.ingressNode[r];
    // Both filters stand between outside clients and the nodes; in-cluster traffic never meets them.
    const outside = this.sources.external;
    if (outside && this.balancerFilter?.blocks(node, this.clients.ip(req.client[r])) === true) {
      if (req.newConnection[r] === 1) this.retransmitOrFail(r, Outcome.DroppedSourceRange, sim.now);
      else this.resendOrFail(r);
      return;
    }
    if (outside && this.firewall?.blocks(node, this.clients.ip(req.client[r])) === true) {
      // Dropped before the node (a security group) or before kube-proxy's rules (a host
      // firewall): no answer, no softirq work counted; the client retransmits its SYN.
      if (req.newConnection[r] === 1) this.retransmitOrFail(r, Outcome.BlockedByFirewall, sim.now);
      else this.resendOrFail(r);
      return;
    }
    if (dataplane.up[node] === 0) {
      this.waitOutTimeout(r);
      return;
    }
    if (!dataplane.hasRoom(node, sim.now)) {
      // The backlog is full: the kernel drops the packet before any rule sees it. A SYN is
      // retransmitted by the client; a packet of an established connection by TCP.
      if (req.newConnection[r] === 1) this.retransmitOrFail(r, Outcome.Timeout, sim.now);
      else this.resendOrFail(r);
      return;
    }
    // The first packet walks the rules (or is dropped by them); the rest are conntrack hits, but
    // for the first packet of a connection moved to this node, whose walk is already costed.
    if (req.newConnection[r] === 1) this.connect(r, node);
    else if (req.moved[r] === 1) req.moved[r] = 0;
    else req.cpuCostNs[r] = dataplane.conntrackHitNs;
    const packets = req.newConnection[r] === 1 && req.fate[r] === Fate.Forward ? NEW_CONNECTION_PACKETS_OUT : 1;
    const cost = packets * dataplane.packetBaseNs + req.cpuCostNs[r] + (packets - 1) * dataplane.conntrackHitNs;
    const doneNs = this.softirq(node, sim.now, cost);
    req.dataplaneNs[r] += doneNs - sim.now;
    if (req.measured[r] === 1 && req.newConnection[r] === 1) this.outcomes.recorder.walkedRules(req.rulesWalked[r]);
    this.afterSoftirq(r, node, doneNs);
  }

  /** `packets` packets of an established connection pass `node` from `atNs`; returns when its softirq is done with them. */
  private forwardTracked(node: number, atNs: number, packets: number): number {
    const dp = this.dataplane;
    return this.softirq(node, atNs, packets * (dp.packetBaseNs + dp.conntrackHitNs));
  }

  /**
   * `costNs` of softirq work on `node` for a packet arriving at `atNs`; returns when the packet
   * leaves the core. A packet that arrives later than now (a hop ahead, computed when it was
   * sent) is queued at once: the core may do its work up to a hop early, ahead of packets that
   * arrive a little before it, but it leaves no sooner than its arrival plus its cost.
   */
  private softirq(node: number, atNs: number, costNs: number): number {
    const coreDoneNs = this.dataplane.process(node, this.sim.now, costNs);
    this.outcomes.nodeBusy(node, coreDoneNs - costNs, coreDoneNs);
    return Math.max(coreDoneNs, atNs + costNs);
  }

  /** What the data path's last `connect` decided for the request's connection, into its columns. */
  private recordDecision(r: number): void {
    const { requests: req, dataplane } = this;
    req.tableVersion[r] = dataplane.lastTableVersion;
    req.endpoint[r] = dataplane.lastEndpoint;
    req.conntrackHandle[r] = dataplane.lastConntrackHandle;
    req.masqueraded[r] = dataplane.lastMasquerade ? 1 : 0;
    req.directReply[r] = dataplane.lastDirectReply ? 1 : 0;
    req.cpuCostNs[r] = dataplane.lastCostNs;
  }

  /** The new connection's fate on the node's table; a forwarded one is pinned to its pod for keep-alive. */
  private connect(r: number, node: number): void {
    const { requests: req, dataplane } = this;
    const client = req.client[r];
    const fate = dataplane.connect(node, this.sources.ip(client), Clients.sourcePort(req.conn[r]), this.sim.now, this.sources.clientNode(client));
    req.fate[r] = fate;
    req.pod[r] = dataplane.lastPod;
    req.rulesWalked[r] = dataplane.lastRulesWalked;
    this.recordDecision(r);
    if (fate === Fate.Forward) {
      const pod = dataplane.lastPod;
      req.connIncarnation[r] = this.pods.incarnation[pod];
      this.clients.pin(client, req.conn[r], pod, dataplane.lastEndpoint, dataplane.lastMasquerade, dataplane.lastConntrackHandle, dataplane.lastTableVersion, this.pods.incarnation[pod], dataplane.lastDirectReply);
    }
  }

  /** What the node does with the packet once its softirq core has processed it, at `doneNs`. */
  private afterSoftirq(r: number, node: number, doneNs: number): void {
    const { sim, requests: req } = this;
    switch (req.fate[r] as Fate) {
      case Fate.Forward:
        break;
      case Fate.Drop:
        this.retransmitOrFail(r, Outcome.DroppedNoLocalEndpoint, doneNs);
        return;
      case Fate.ConntrackFull:
        this.retransmitOrFail(r, Outcome.ConntrackFull, doneNs);
        return;
      case Fate.SourceRangeDrop:
        this.retransmitOrFail(r, Outcome.DroppedSourceRange, doneNs);
        return;
      case Fate.ReplyLost:
        // The client never sees a SYN-ACK it recognises and gives up at its connect timeout.
        sim.scheduleAt(Math.max(doneNs, req.sentAt[r] + this.connectTimeoutNs), this.FAIL[Outcome.Timeout], r);
        return;
      case Fate.Reject:
      case Fate.NoService:
        // kube-proxy's REJECT sends an ICMP port-unreachable; a port no rule translates reaches the
        // node's own stack, where nothing listens, and its RST travels back. Either way the client
        // sees "connection refused", one hop later; only the first is "no endpoints".
        sim.scheduleAt(doneNs + this.sources.hopNs(req.client[r], node), this.FAIL[req.fate[r] === Fate.Reject ? Outcome.RejectedNoEndpoints : Outcome.RefusedNoListener], r);
        return;
      case Fate.Stale:
        sim.scheduleAt(doneNs, this.FAIL[Outcome.FailedStaleEndpoint], r);
        return;
    }
    const podNode = this.pods.node[req.pod[r]];
    let atNs = doneNs;
    if (podNode !== node) {
      // The second node forwards it to the pod: a conntrack entry of its own, then hits.
      const hop = this.network.nodeToNode(node, podNode);
      const packets = req.newConnection[r] === 1 ? NEW_CONNECTION_PACKETS_OUT : 1;
      atNs = this.forwardTracked(podNode, doneNs + hop, packets);
      req.networkNs[r] += hop;
      req.dataplaneNs[r] += atNs - doneNs - hop;
    }
    const d = this.network.nodeToPod();
    req.networkNs[r] += d;
    sim.scheduleAt(atNs + d, this.AT_POD, r);
  }

  /**
   * A SYN that got no answer: the client retransmits it 1 s, 3 s, 7 s… after the first (the
   * timeout doubling each time) until its connect timeout, then fails with `failure`.
   */
  private retransmitOrFail(r: number, failure: number, fromNs: number): void {
    const { sim, requests: req } = this;
    const nextSynNs = req.sentAt[r] + SYN_RTO_NS * (2 ** req.transmissions[r] - 1);
    if (nextSynNs - req.sentAt[r] < this.connectTimeoutNs) {
      req.transmissions[r]++;
      const d = this.sources.hopNs(req.client[r], req.ingressNode[r]);
      // Waiting for the retransmission counts as network time: the parts still add up.
      req.networkNs[r] += nextSynNs + d - fromNs;
      sim.scheduleAt(nextSynNs + d, this.AT_NODE, r);
    } else {
      sim.scheduleAt(Math.max(sim.now, req.sentAt[r] + this.connectTimeoutNs), this.FAIL[failure], r);
    }
  }

  /** A lost data packet of an established connection: TCP resends it after 200 ms, doubling, within the request timeout. */
  private resendOrFail(r: number): void {
    const { sim, requests: req } = this;
    const rto = TCP_MIN_RTO_NS * 2 ** (req.transmissions[r] - 1);
    if (sim.now + rto - req.sentAt[r] < this.requestTimeoutNs) {
      req.transmissions[r]++;
      req.networkNs[r] += rto;
      sim.schedule(rto, this.AT_NODE, r);
    } else {
      sim.scheduleAt(Math.max(sim.now, req.sentAt[r] + this.requestTimeoutNs), this.FAIL[Outcome.Timeout], r);
    }
  }

  /** A node that is down answers nothing: the client waits out its connect (or request) timeout. */
  private waitOutTimeout(r: number): void {
    const req = this.requests;
    const giveUp = req.sentAt[r] + (req.newConnection[r] === 1 ? this.connectTimeoutNs : this.requestTimeoutNs);
    this.sim.scheduleAt(Math.max(this.sim.now, giveUp), this.FAIL[Outcome.Timeout], r);
  }

  // A stale table (or an old keep-alive connection) can send a request to a pod that is gone.
  private atPod(r: number): void {
    const { sim, requests: req, pods } = this;
    const pod = req.pod[r];
    if (this.dataplane.up[pods.node[pod]] === 0) {
      this.waitOutTimeout(r);
      return;
    }
    // A dead pod, or a restarted one that has lost the connection's TCP state: reset.
    if (pods.alive[pod] === 0 || req.connIncarnation[r] !== pods.incarnation[pod]) {
      this.release(r, Outcome.FailedStaleEndpoint);
      return;
    }
    // Nothing listens on the target port, or a draining pod has closed its listening socket: the
    // pod's kernel answers a new connection with RST.
    if (pods.listens[pod] === 0 || (req.newConnection[r] === 1 && pods.listening[pod] === 0)) {
      this.refuse(r, pod);
      return;
    }
    this.outcomes.reachedPod(req, r, pod, pods.node[pod], sim.now);
    req.queuedAt[r] = sim.now;
    req.podIncarnation[r] = pods.incarnation[pod];
    const admission = pods.admit(pod, r, sim.now);
    if (admission === Admission.Full) this.release(r, Outcome.QueueFull);
    else if (admission === Admission.Started) this.startService(r);
  }

  /** Nothing listens on the port: the pod's kernel answers RST, which retraces the way back. */
  private refuse(r: number, pod: number): void {
    const { sim, requests: req, network } = this;
    req.fate[r] = Fate.RefusedNoListener;
    const podNode = this.pods.node[pod];
    const node = req.ingressNode[r];
    let d = network.nodeToPod() + this.sources.hopNs(req.client[r], node);
    if (podNode !== node && req.directReply[r] === 0) d += network.nodeToNode(podNode, node);
    req.networkNs[r] += d;
    sim.schedule(d, this.FAIL[Outcome.RefusedNoListener], r);
  }

  private startService(r: number): void {
    const req = this.requests;
    req.podQueueNs[r] = this.sim.now - req.queuedAt[r];
    const t = Math.round(this.serviceTime.sample());
    req.serviceNs[r] = t;
    this.sim.schedule(t, this.SERVICE_DONE, r);
  }

  // The reply retraces the path: pod → its node → (the ingress node, for the un-SNAT) → client;
  // with DSR the pod's node answers the client itself.
  private serviceDone(r: number): void {
    const { sim, requests: req, pods, network } = this;
    const pod = req.pod[r];
    if (req.podIncarnation[r] !== pods.incarnation[pod]) {
      // The pod died while serving: the connection is reset.
      this.release(r, Outcome.FailedStaleEndpoint);
      return;
    }
    const next = pods.depart(pod, sim.now, sim.now - req.queuedAt[r]);
    if (next >= 0) this.startService(next);
    const podNode = pods.node[pod];
    const node = req.ingressNode[r];
    // Every node on the way back un-NATs the reply from its conntrack entry; under DSR the pod's
    // node answers the client itself and the ingress node sees no reply.
    const packets = req.newConnection[r] === 1 ? NEW_CONNECTION_PACKETS_BACK : 1;
    const toNodeNs = network.nodeToPod();
    let atNs = this.forwardTracked(podNode, sim.now + toNodeNs, packets);
    let hopsNs = toNodeNs;
    if (podNode !== node && req.directReply[r] === 0) {
      const hop = network.nodeToNode(podNode, node);
      hopsNs += hop;
      atNs = this.forwardTracked(node, atNs + hop, packets);
    }
    const last = this.sources.hopNs(req.client[r], node);
    hopsNs += last;
    req.networkNs[r] += hopsNs;
    req.dataplaneNs[r] += atNs + last - sim.now - hopsNs;
    if (this.deliverNow) this.deliver(r, atNs + last);
    else sim.scheduleAt(atNs + last, this.DELIVERED, r);
  }

  // A reply later than the client's timeout counts as a timeout: the client stopped waiting.
  private deliver(r: number, atNs: number): void {
    const req = this.requests;
    const latency = atNs - req.sentAt[r];
    if (latency > this.requestTimeoutNs) {
      // The client stopped waiting at its timeout (closed-loop clients have an event for it).
      this.release(r, Outcome.Timeout, 0, req.sentAt[r] + this.requestTimeoutNs);
      return;
    }
    const recorder = this.outcomes.recorder;
    if (req.measured[r] === 1) recorder.served(req.networkNs[r], req.dataplaneNs[r], req.podQueueNs[r], req.serviceNs[r]);
    if (atNs >= this.warmupNs && atNs < this.endNs) recorder.deliveredInWindow();
    this.release(r, Outcome.Ok, latency, atNs);
  }

  // A closed-loop client stops waiting at its request timeout; the request's packets and the
  // pod's work go on, and the request is released when its last event runs.
  private clientTimeout(r: number): void {
    this.requests.timeoutHandle[r] = -1;
    this.reportOutcome(r, Outcome.Timeout, 0, this.sim.now);
    this.requests.abandoned[r] = 1;
    this.abandonedLive++;
  }

  /**
   * Every request's last event: its outcome is reported (unless its client gave up earlier and
   * it was reported then) and its id is freed.
   */
  release(r: number, outcome: number, latencyNs = 0, atNs = this.sim.now): void {
    if (this.requests.abandoned[r] === 1) this.abandonedLive--;
    else this.reportOutcome(r, outcome, latencyNs, atNs);
    this.requests.release(r);
  }

  /** How the request ended for its client: counted, its connection closed or kept, a closed-loop client rescheduled. */
  private reportOutcome(r: number, outcome: number, latencyNs: number, atNs: number): void {
    const { sim, requests: req } = this;
    if (req.timeoutHandle[r] >= 0) sim.cancel(req.timeoutHandle[r]);
    this.reportedCount++;
    this.outcomes.ended(req, r, outcome, latencyNs, atNs);
    const client = req.client[r];
    // A draining pod answers with `Connection: close`: the client's next request opens a new one.
    const reusable = outcome === Outcome.Ok && this.pods.listening[req.pod[r]] === 1;
    const closed = this.clients.done(client, req.conn[r], reusable);
    const node = req.ingressNode[r];
    if (closed && node >= 0 && req.endpoint[r] >= 0) {
      this.dataplane.closeConnection(node, req.tableVersion[r], req.endpoint[r], req.conntrackHandle[r], this.timeWaitNs, atNs);
    }
    if (this.closedLoop && atNs < this.endNs) sim.scheduleAt(atNs + Math.round(this.thinkTime.sample()), this.SEND, client);
  }
}
