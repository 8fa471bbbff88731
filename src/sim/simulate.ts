// One simulated run: external clients → ingress node → kube-proxy lookup on that node's softirq
// CPU → (second hop) → pod queue and service → reply back the same way. A request's life reads as
// sendRequest → arriveAtNode (→ routeViaProxy once the node's CPU is done) → arriveAtPod →
// finishService → deliverResponse.

import { selectorMatches } from '../cluster/selector.js';
import { RandomStreams } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import { Admission, Stations } from '../engine/station.js';
import { s } from '../engine/time.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import { RunRecorder } from '../metrics/run-recorder.js';
import { Timeseries, type TimeseriesRow } from '../metrics/timeseries.js';
import { Conntrack } from '../proxy/conntrack.js';
import { buildServicePorts, type EndpointInfo } from '../proxy/service-map.js';
import { type NodeProxyTable, Verdict } from '../proxy/types.js';
import { Clients } from '../traffic/clients.js';
import { durationNs } from '../traffic/duration.js';
import { HealthChecks } from '../traffic/health-checks.js';
import { SoftirqCpus } from '../traffic/softirq-cpus.js';
import { Ingress } from '../traffic/ingress.js';
import { planChanges } from './changes.js';
import type { SimConfig } from './config.js';
import { NodeProxies } from '../proxy/node-proxies.js';
import { OUTCOMES, Outcome } from '../metrics/outcome.js';
import { RequestTable } from './requests.js';

export interface PodResult {
  readonly pod: string;
  readonly node: string;
  readonly requests: number;
  /** Little's law's two sides, measured independently: time-average in system, and λ·W. */
  readonly meanInSystem: number;
  readonly throughputPerS: number;
  readonly meanTimeInSystemMs: number;
}

export interface NodeResult {
  readonly node: string;
  readonly zone: string;
  readonly ingressRequests: number;
  readonly cpuUtil: number;
  readonly syncs: number;
  readonly syncLagMaxMs: number;
  readonly conntrackPeak: number;
}

/** One finished request, for observers (tests, traces). */
export interface RequestRecord {
  readonly client: number;
  readonly outcome: number;
  readonly sentAtNs: number;
  readonly endedAtNs: number;
  readonly ingressNode: number;
  /** Index into RunResult.pods, or -1 when it reached none. */
  readonly pod: number;
  readonly newConnection: boolean;
}

export interface SimObserver {
  readonly onRequestEnd?: (r: RequestRecord) => void;
}

export interface RunResult {
  readonly metrics: RunMetrics;
  readonly pods: readonly PodResult[];
  readonly nodes: readonly NodeResult[];
  readonly timeseries: readonly TimeseriesRow[];
}

/** A pod index for an endpoint the simulator runs no pod for (it is gone). */
const STALE = -100;
/** A pod index for a connection whose replies are lost (IPVS, Local, no local endpoint). */
const REPLY_LOST = -101;
/** A pod index for a new connection the node's full conntrack table turned away. */
const CONNTRACK_FULL = -102;
/** Linux's initial SYN retransmission timeout (TCP_TIMEOUT_INIT), doubled on each retry. */
const SYN_RTO_NS = 1e9;
/** Linux's TCP_RTO_MIN: the soonest a lost data segment is resent. */
const TCP_MIN_RTO_NS = 200e6;

export function simulate(cfg: SimConfig, observer: SimObserver = {}): RunResult {
  const sim = new Simulator();
  const streams = new RandomStreams(cfg.seed, cfg.replication);
  const { cluster } = cfg;
  const nodes = cluster.nodes;
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));

  // The target service port first, then every other one (they lengthen the tables).
  const clusterPorts = buildServicePorts(cluster);
  const target = clusterPorts.find((sp) => `${sp.namespace}/${sp.serviceName}` === cfg.targetService && sp.nodePort > 0);
  if (!target) throw new Error(`simulate: ${cfg.targetService} has no nodePort`);
  const nodePort = target.nodePort;
  const targetService = cluster.services.find((x) => `${x.namespace}/${x.name}` === cfg.targetService);

  // Every pod the run will have (events create some), and which of them back the target.
  const plan = planChanges(cluster, cfg.events, cfg.changeTiming);
  const initialTargetIps = new Set(target.endpoints.map((e) => e.ip));
  const planIndex: number[] = [];
  plan.pods.forEach((p, i) => {
    const backsTarget =
      initialTargetIps.has(p.ip) ||
      (i >= cluster.pods.length && targetService?.selector != null && p.namespace === targetService.namespace && selectorMatches(targetService.selector, p.labels));
    if (backsTarget) planIndex.push(i);
  });
  const pods = planIndex.map((i) => plan.pods[i]);
  /** The plan's pod index → this run's pod index. */
  const universe = new Map(planIndex.map((planPod, i) => [planPod, i]));
  const podByIp = new Map(pods.map((p, i) => [p.ip, i]));
  const podNode = Int32Array.from(pods.map((p) => nodeIndex.get(p.nodeName) ?? -1));
  const podAlive = Uint8Array.from(planIndex.map((i) => (plan.initiallyAlive[i] ? 1 : 0)));
  const podReady = Uint8Array.from(pods.map((p) => (p.ready && initialTargetIps.has(p.ip) ? 1 : 0)));
  /** Bumped when a pod dies, so work it had accepted before cannot complete after. */
  const podEpoch = new Int32Array(pods.length);
  const targetPort = target.endpoints[0]?.port ?? (typeof targetService?.ports[0]?.targetPort === 'number' ? targetService.ports[0].targetPort : 80);

  const proxies = new NodeProxies(sim, nodes, [target, ...clusterPorts.filter((sp) => sp !== target), ...cfg.backgroundServicePorts], {
    mode: cfg.proxy.mode,
    ipvsScheduler: cfg.proxy.ipvsScheduler,
    costs: cfg.proxy.costs,
    sync: cfg.proxy.sync,
    watchDelayNs: Math.round(cfg.proxy.watchDelayMs * 1e6),
  });
  const tables = proxies.tables;
  // Per node, the pod behind each endpoint index of the table it routes on (rebuilt after a sync).
  const podMaps: Int32Array[] = nodes.map(() => new Int32Array(0));
  const podMapOf: (NodeProxyTable | null)[] = nodes.map(() => null);
  const podOfEndpoint = (node: number, table: NodeProxyTable): Int32Array => {
    if (podMapOf[node] !== table) {
      const eps = table.servicePorts[table.servicePortForNodePort(nodePort)]?.endpoints ?? [];
      podMaps[node] = Int32Array.from(eps.map((e) => podByIp.get(e.ip) ?? STALE));
      podMapOf[node] = table;
    }
    return podMaps[node];
  };
  const conntrack = nodes.map(() => new Conntrack(cfg.conntrack.maxEntries));
  const nodeUp = new Uint8Array(nodes.length).fill(1);

  const podStations = new Stations(
    pods.map(() => cfg.pods.concurrency),
    pods.map(() => cfg.pods.queueLimit),
  );
  const cpus = new SoftirqCpus(nodes.length, cfg.nodes.softirqCores, cfg.nodes.backlogPackets);

  // Every random consumer draws from its own named stream.
  const arrivalGap = durationNs({ dist: 'exponential', meanMs: 1000 / cfg.traffic.ratePerS }, streams.stream('arrivals'));
  const pickClient = streams.stream('clients');
  const ingress = new Ingress(cfg.traffic.ingress, nodes.length, streams.stream('ingress'));
  const healthChecks = new HealthChecks(ingress.inService, cfg.healthCheck);
  const proxyDraws = streams.stream('proxy');
  const serviceTime = durationNs(cfg.pods.serviceTime, streams.stream('service'));
  const thinkTime = durationNs(cfg.traffic.thinkTimeMs, streams.stream('think'));
  const clientToNode = durationNs(cfg.network.clientToNodeMs, streams.stream('net.client-node'));
  const nodeToNode = durationNs(cfg.network.nodeToNodeMs, streams.stream('net.node-node'));
  const nodeToNodeCross = durationNs(cfg.network.nodeToNodeCrossZoneMs, streams.stream('net.node-node-cross-zone'));
  const nodeToPod = durationNs(cfg.network.nodeToPodMs, streams.stream('net.node-pod'));
  const delay = (d: { sample(): number }): number => Math.round(d.sample());
  const hopBetween = (a: number, b: number): number => delay(nodes[a].zone === nodes[b].zone ? nodeToNode : nodeToNodeCross);

  const req = new RequestTable();
  const clients = new Clients(cfg.traffic.clients, cfg.traffic.requestsPerConnection);
  const closedLoop = cfg.traffic.model === 'closed';
  const rec = new RunRecorder(OUTCOMES.length, pods.length, nodes.length);
  const series = new Timeseries(s(cfg.timeseriesBucketS), OUTCOMES, pods.map((p) => p.name));
  const ingressCount = new Float64Array(nodes.length);
  const warmupNs = s(cfg.warmupS);
  const endNs = warmupNs + s(cfg.durationS);
  const connectTimeoutNs = s(cfg.traffic.connectTimeoutS);
  const requestTimeoutNs = s(cfg.traffic.requestTimeoutS);
  const establishedNs = s(cfg.conntrack.establishedTimeoutS);
  const timeWaitNs = s(cfg.conntrack.timeWaitS);
  const conntrackHitNs = cfg.proxy.costs.conntrackHitNs;
  // Little's law bookkeeping per pod: the integral of the number in system over the window.
  const podInSystem = new Int32Array(pods.length);
  const podArea = new Float64Array(pods.length);
  const podAreaAt = new Float64Array(pods.length).fill(warmupNs);
  const podDone = new Float64Array(pods.length);
  const podTimeSum = new Float64Array(pods.length);
  const inWindow = (t: number) => (t < warmupNs ? warmupNs : t > endNs ? endNs : t);
  const changeInSystem = (pod: number, by: number): void => {
    const now = inWindow(sim.now);
    podArea[pod] += podInSystem[pod] * (now - podAreaAt[pod]);
    podAreaAt[pod] = now;
    podInSystem[pod] += by;
  };

  /** Every request ends here, once: counted, its connection closed or freed, a closed-loop client rescheduled. */
  const finish = (r: number, outcome: number, latencyNs = 0, atNs = sim.now): void => {
    // A request its client gave up on was counted then; its last event only frees it.
    if (req.abandoned[r] === 1) {
      req.release(r);
      return;
    }
    end(r, outcome, latencyNs, atNs);
    req.release(r);
  };

  /** Counts how a request ended for its client, and closes or frees its connection. */
  const end = (r: number, outcome: number, latencyNs: number, atNs: number): void => {
    if (req.timeoutHandle[r] >= 0) sim.cancel(req.timeoutHandle[r]);
    if (req.measured[r] === 1) rec.countOutcome(outcome);
    series.ended(atNs, outcome, latencyNs, req.measured[r] === 1);
    observer.onRequestEnd?.({
      client: req.client[r],
      outcome,
      sentAtNs: req.sentAt[r],
      endedAtNs: atNs,
      ingressNode: req.ingressNode[r],
      pod: req.pod[r] >= 0 ? req.pod[r] : -1,
      newConnection: req.newConnection[r] === 1,
    });
    const client = req.client[r];
    const closed = clients.done(client, req.conn[r], outcome === Outcome.Ok);
    const node = req.ingressNode[r];
    if (closed && node >= 0 && req.endpoint[r] >= 0) {
      // IPVS's least-connection schedulers count connections until they close; conntrack
      // keeps the closed connection in TIME_WAIT.
      proxies.tableAt(node, req.table[r]).release(nodePort, req.endpoint[r]);
      conntrack[node].close(req.track[r], timeWaitNs, atNs);
    }
    if (closedLoop && atNs < endNs) sim.scheduleAt(atNs + delay(thinkTime), sendRequest, client);
  };

  // A closed-loop client stops waiting at its request timeout; the request's packets and the
  // pod's work go on, and the request is freed when its last event runs.
  const clientTimeout = sim.register('clientTimeout', (r) => {
    req.timeoutHandle[r] = -1;
    end(r, Outcome.Timeout, 0, sim.now);
    req.abandoned[r] = 1;
  });

  // Open loop: Poisson arrivals over all clients (a superposition of Poisson clients is Poisson,
  // so one pending arrival serves them all). Closed loop: the event carries its client.
  const sendRequest = sim.register('sendRequest', (closedClient) => {
    const now = sim.now;
    if (now >= endNs) return;
    if (!closedLoop) sim.schedule(delay(arrivalGap), sendRequest, -1);
    const client = closedLoop ? closedClient : Math.floor(pickClient() * cfg.traffic.clients);
    const r = req.alloc();
    req.client[r] = client;
    req.sentAt[r] = now;
    req.networkNs[r] = 0;
    req.dataplaneNs[r] = 0;
    req.podQueueNs[r] = 0;
    req.serviceNs[r] = 0;
    req.syns[r] = 1;
    req.endpoint[r] = -1;
    req.track[r] = -1;
    req.pod[r] = -1;
    req.abandoned[r] = 0;
    req.timeoutHandle[r] = closedLoop ? sim.scheduleCancellable(requestTimeoutNs, clientTimeout, r) : -1;
    req.measured[r] = now >= warmupNs ? 1 : 0;
    if (req.measured[r] === 1) rec.countSent();
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
      req.track[r] = clients.track(client);
      req.table[r] = clients.table(client);
      req.connEpoch[r] = clients.epoch(client);
    } else {
      node = ingress.pick();
      req.conn[r] = clients.open(client, node);
      req.newConnection[r] = 1;
    }
    req.ingressNode[r] = node;
    if (node < 0) {
      // No node in service at the balancer: the client's SYNs go unanswered.
      sim.schedule(connectTimeoutNs, failTimeout, r);
      return;
    }
    if (req.measured[r] === 1) ingressCount[node]++;
    const d = delay(clientToNode);
    req.networkNs[r] += d;
    sim.schedule(d, arriveAtNode, r);
  });

  // The packet reaches the node: a new connection walks the proxy's rules, a packet of an
  // established one is translated by conntrack; either way it costs softirq CPU there, FIFO.
  const arriveAtNode = sim.register('arriveAtNode', (r) => {
    const node = req.ingressNode[r];
    if (nodeUp[node] === 0) {
      // A dead node answers nothing: the client waits out its timeout.
      const giveUp = req.sentAt[r] + (req.newConnection[r] === 1 ? connectTimeoutNs : requestTimeoutNs);
      sim.scheduleAt(Math.max(sim.now, giveUp), failTimeout, r);
      return;
    }
    if (!cpus.hasRoom(node, sim.now)) {
      // The backlog is full: the kernel drops the packet before any rule sees it. A SYN is
      // retransmitted by the client; a packet of an established connection by TCP (min RTO 200 ms).
      if (req.newConnection[r] === 1) retransmitOrFail(r, failTimeout, sim.now);
      else resendOrFail(r);
      return;
    }
    if (req.newConnection[r] === 1) {
      const table = tables[node];
      req.table[r] = proxies.version(node);
      const verdict = table.connect(nodePort, clients.ip(req.client[r]), sim.now, proxyDraws);
      let pod: number = verdict;
      if (table.lastReplyLost) pod = REPLY_LOST;
      else if (verdict >= 0) {
        pod = podOfEndpoint(node, table)[verdict];
        const track = conntrack[node].insert(verdict, establishedNs, sim.now);
        if (track < 0) pod = CONNTRACK_FULL;
        else {
          req.endpoint[r] = verdict;
          req.track[r] = track;
          if (pod >= 0) {
            req.connEpoch[r] = podEpoch[pod];
            clients.pin(req.client[r], req.conn[r], pod, verdict, table.lastMasquerade, track, req.table[r], podEpoch[pod]);
          }
        }
      }
      // A connection that never establishes frees IPVS's count at once.
      if ((pod === REPLY_LOST || pod === CONNTRACK_FULL) && verdict >= 0) table.release(nodePort, verdict);
      req.pod[r] = pod;
      req.masqueraded[r] = table.lastMasquerade ? 1 : 0;
      req.cpuCostNs[r] = table.lastCostNs;
      req.rulesWalked[r] = table.lastRulesWalked;
    } else {
      req.cpuCostNs[r] = conntrackHitNs;
    }
    const cost = req.cpuCostNs[r];
    const doneNs = Math.round(cpus.admit(node, sim.now, cost));
    req.dataplaneNs[r] += doneNs - sim.now;
    if (req.measured[r] === 1 && req.newConnection[r] === 1) rec.walkedRules(req.rulesWalked[r]);
    // Utilisation counts the CPU time spent inside the window, whoever's packet it was.
    const busy = Math.min(doneNs, endNs) - Math.max(doneNs - cost, warmupNs);
    if (busy > 0) rec.nodeCpu(node, busy);
    routeViaProxy(r, node, doneNs);
  });

  /**
   * A SYN that got no answer: the client retransmits it 1 s, 3 s, 7 s… after the first (the
   * timeout doubling each time) until its connect timeout.
   */
  const retransmitOrFail = (r: number, failure: number, fromNs: number): void => {
    const nextSynNs = req.sentAt[r] + SYN_RTO_NS * (2 ** req.syns[r] - 1);
    if (nextSynNs - req.sentAt[r] < connectTimeoutNs) {
      req.syns[r]++;
      const d = delay(clientToNode);
      // Waiting for the retransmission counts as network time: the parts still add up.
      req.networkNs[r] += nextSynNs + d - fromNs;
      sim.scheduleAt(nextSynNs + d, arriveAtNode, r);
    } else {
      sim.scheduleAt(Math.max(sim.now, req.sentAt[r] + connectTimeoutNs), failure, r);
    }
  };

  /** A lost data packet of an established connection: TCP resends it after 200 ms, doubling, within the request timeout. */
  const resendOrFail = (r: number): void => {
    const rto = TCP_MIN_RTO_NS * 2 ** (req.syns[r] - 1);
    if (sim.now + rto - req.sentAt[r] < requestTimeoutNs) {
      req.syns[r]++;
      req.networkNs[r] += rto;
      sim.schedule(rto, arriveAtNode, r);
    } else {
      sim.scheduleAt(Math.max(sim.now, req.sentAt[r] + requestTimeoutNs), failTimeout, r);
    }
  };

  /** What the node does with the packet once its softirq core has processed it, at `doneNs`. */
  const routeViaProxy = (r: number, node: number, doneNs: number): void => {
    const pod = req.pod[r];
    switch (pod) {
      case Verdict.Drop:
        retransmitOrFail(r, failDropped, doneNs);
        return;
      case CONNTRACK_FULL:
        // "nf_conntrack: table full, dropping packet".
        retransmitOrFail(r, failConntrackFull, doneNs);
        return;
      case REPLY_LOST:
        // The client never sees a SYN-ACK it recognises and gives up at its connect timeout.
        sim.scheduleAt(Math.max(doneNs, req.sentAt[r] + connectTimeoutNs), failTimeout, r);
        return;
      case Verdict.Reject:
      case Verdict.NoService:
        // An ICMP port-unreachable (or RST) travels back: the client sees "connection refused".
        sim.scheduleAt(doneNs + delay(clientToNode), failRejected, r);
        return;
      case STALE:
        sim.scheduleAt(doneNs, failStale, r);
        return;
    }
    const podHome = podNode[pod];
    let d = delay(nodeToPod);
    if (podHome !== node) d += hopBetween(node, podHome);
    req.networkNs[r] += d;
    sim.scheduleAt(doneNs + d, arriveAtPod, r);
  };

  const failDropped = sim.register('failDropped', (r) => finish(r, Outcome.DroppedNoLocalEndpoint));
  const failConntrackFull = sim.register('failConntrackFull', (r) => finish(r, Outcome.ConntrackFull));
  const failRejected = sim.register('failRejected', (r) => finish(r, Outcome.RejectedNoEndpoints));
  const failTimeout = sim.register('failTimeout', (r) => finish(r, Outcome.Timeout));
  const failStale = sim.register('failStale', (r) => finish(r, Outcome.FailedStaleEndpoint));

  // A stale table (or an old keep-alive connection) can send a request to a pod that is gone.
  const arriveAtPod = sim.register('arriveAtPod', (r) => {
    const pod = req.pod[r];
    if (nodeUp[podNode[pod]] === 0) {
      // The pod's node is down and answers nothing: the client waits out its timeout.
      const giveUp = req.sentAt[r] + (req.newConnection[r] === 1 ? connectTimeoutNs : requestTimeoutNs);
      sim.scheduleAt(Math.max(sim.now, giveUp), failTimeout, r);
      return;
    }
    // A dead pod, or a restarted one that has lost the connection's TCP state: reset.
    if (podAlive[pod] === 0 || req.connEpoch[r] !== podEpoch[pod]) {
      finish(r, Outcome.FailedStaleEndpoint);
      return;
    }
    if (req.measured[r] === 1) rec.reachedPodVia(pod, podNode[pod] === req.ingressNode[r] ? 1 : 2, req.masqueraded[r] === 0);
    series.reachedPod(sim.now, pod);
    req.queuedAt[r] = sim.now;
    req.epoch[r] = podEpoch[pod];
    const admission = podStations.arrive(pod, r);
    if (admission === Admission.Full) {
      finish(r, Outcome.QueueFull);
      return;
    }
    changeInSystem(pod, 1);
    if (admission === Admission.Started) startService(r);
  });

  const startService = (r: number): void => {
    req.podQueueNs[r] = sim.now - req.queuedAt[r];
    const t = delay(serviceTime);
    req.serviceNs[r] = t;
    sim.schedule(t, finishService, r);
  };

  // The reply retraces the path: pod → its node → (the ingress node, for the un-SNAT) → client.
  const finishService = sim.register('finishService', (r) => {
    const pod = req.pod[r];
    if (req.epoch[r] !== podEpoch[pod]) {
      // The pod died while serving: the connection is reset.
      finish(r, Outcome.FailedStaleEndpoint);
      return;
    }
    changeInSystem(pod, -1);
    if (sim.now >= warmupNs && sim.now <= endNs) {
      podDone[pod]++;
      podTimeSum[pod] += sim.now - req.queuedAt[r];
    }
    const next = podStations.depart(pod);
    if (next >= 0) startService(next);
    const podHome = podNode[pod];
    const node = req.ingressNode[r];
    let d = delay(nodeToPod) + delay(clientToNode);
    if (podHome !== node) d += hopBetween(podHome, node);
    req.networkNs[r] += d;
    if (deliverNow) deliver(r, sim.now + d);
    else sim.schedule(d, deliverResponse, r);
  });

  // A reply later than the client's timeout counts as a timeout: the client stopped waiting.
  const deliver = (r: number, atNs: number): void => {
    const latency = atNs - req.sentAt[r];
    if (latency > requestTimeoutNs) {
      // The client stopped waiting at its timeout (closed-loop clients have an event for it).
      finish(r, Outcome.Timeout, 0, req.sentAt[r] + requestTimeoutNs);
      return;
    }
    if (req.measured[r] === 1) rec.served(req.networkNs[r], req.dataplaneNs[r], req.podQueueNs[r], req.serviceNs[r]);
    if (atNs >= warmupNs && atNs < endNs) rec.deliveredInWindow();
    finish(r, Outcome.Ok, latency, atNs);
  };
  const deliverResponse = sim.register('deliverResponse', (r) => deliver(r, sim.now));
  /**
   * When nothing the simulation does depends on the moment a reply lands — no keep-alive
   * connection to free, no closed-loop client to wake, no IPVS connection count to lower — the
   * reply is accounted when it is sent, at its known arrival time: one event less per request.
   */
  const deliverNow =
    !closedLoop &&
    cfg.traffic.requestsPerConnection === 1 &&
    !(cfg.proxy.mode === 'ipvs' && (cfg.proxy.ipvsScheduler === 'lc' || cfg.proxy.ipvsScheduler === 'sed' || cfg.proxy.ipvsScheduler === 'nq'));

  // Pod and node changes from the experiment's events; readiness changes reach the proxies.
  const publishEndpoints = (): void => {
    const endpoints: EndpointInfo[] = [];
    pods.forEach((p, i) => {
      if (podReady[i] === 1) {
        const key = `${p.ip}:${targetPort}`;
        endpoints.push({ ip: p.ip, port: targetPort, nodeName: p.nodeName, ready: true, serving: true, terminating: false, key });
      }
    });
    endpoints.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    proxies.endpointsChanged(endpoints);
  };
  const podChange = sim.register('podChange', (i) => {
    const c = plan.podChanges[i];
    const pod = universe.get(c.pod) ?? -1;
    if (pod < 0) return;
    if (c.alive === false && podAlive[pod] === 1) {
      podAlive[pod] = 0;
      podEpoch[pod]++;
      // Queued requests die with the pod; those in service find out at their finish.
      changeInSystem(pod, -podInSystem[pod]);
      for (const r of podStations.drain(pod)) finish(r, Outcome.FailedStaleEndpoint);
    }
    if (c.alive === true) podAlive[pod] = 1;
    if (c.ready !== undefined && (c.ready ? 1 : 0) !== podReady[pod]) {
      podReady[pod] = c.ready ? 1 : 0;
      publishEndpoints();
    }
  });
  const nodeChange = sim.register('nodeChange', (i) => {
    const c = plan.nodeChanges[i];
    nodeUp[c.node] = c.up ? 1 : 0;
  });
  // Changes after the measured window cannot affect it.
  plan.podChanges.forEach((c, i) => c.atNs < endNs && sim.scheduleAt(c.atNs, podChange, i));
  plan.nodeChanges.forEach((c, i) => c.atNs < endNs && sim.scheduleAt(c.atNs, nodeChange, i));

  // The balancer probes each node: under Local the healthCheckNodePort answers 503 without a
  // local endpoint (kube-proxy's health server counts what it last synced); under Cluster a TCP
  // check of the nodePort succeeds while the node is up and has any endpoint.
  const local = target.externalTrafficPolicy === 'Local';
  const probeNodes = sim.register('healthCheck', () => {
    for (let n = 0; n < nodes.length; n++) {
      const healthy = nodeUp[n] === 1 && (local ? proxies.localEndpointCount(n) > 0 : proxies.anyEndpoint(n));
      healthChecks.probe(n, healthy);
    }
    if (sim.now < endNs) sim.schedule(s(cfg.healthCheck.intervalS), probeNodes);
  });
  if (cfg.traffic.ingress === 'health-checked') {
    // The balancer has been probing since before the run: nodes that fail now start out of rotation.
    for (let n = 0; n < nodes.length; n++) {
      ingress.inService[n] = nodeUp[n] === 1 && (local ? proxies.localEndpointCount(n) > 0 : proxies.anyEndpoint(n)) ? 1 : 0;
    }
    sim.schedule(s(cfg.healthCheck.intervalS), probeNodes);
  }

  if (closedLoop) for (let c = 0; c < cfg.traffic.clients; c++) sim.schedule(delay(thinkTime), sendRequest, c);
  else sim.schedule(delay(arrivalGap), sendRequest, -1);
  sim.run();

  const windowNs = endNs - warmupNs;
  for (let p = 0; p < pods.length; p++) changeInSystem(p, 0);
  let syncs = 0;
  let lagSum = 0;
  let lagMax = 0;
  let conntrackPeak = 0;
  const nodeStats = nodes.map((_, i) => {
    const st = proxies.stats(i);
    syncs += st.syncs;
    lagSum += st.lagSumNs;
    lagMax = Math.max(lagMax, st.lagMaxNs);
    conntrackPeak = Math.max(conntrackPeak, conntrack[i].peak);
    return st;
  });
  const metrics = rec.finish({
    durationNs: windowNs,
    softirqCores: cfg.nodes.softirqCores,
    inFlight: req.live,
    events: sim.eventsProcessed,
    syncs,
    syncLagMeanNs: syncs > 0 ? lagSum / syncs : Number.NaN,
    syncLagMaxNs: syncs > 0 ? lagMax : Number.NaN,
    conntrackPeak,
    latency: series.measuredLatency(),
  });
  return {
    metrics,
    pods: pods.map((p, i) => ({
      pod: p.name,
      node: p.nodeName,
      requests: rec.podRequests[i],
      meanInSystem: podArea[i] / windowNs,
      throughputPerS: podDone[i] / (windowNs / 1e9),
      meanTimeInSystemMs: podDone[i] > 0 ? podTimeSum[i] / podDone[i] / 1e6 : Number.NaN,
    })),
    nodes: nodes.map((n, i) => ({
      node: n.name,
      zone: n.zone,
      ingressRequests: ingressCount[i],
      cpuUtil: rec.nodeCpuUtil(i, windowNs, cfg.nodes.softirqCores),
      syncs: nodeStats[i].syncs,
      syncLagMaxMs: nodeStats[i].syncs > 0 ? nodeStats[i].lagMaxNs / 1e6 : Number.NaN,
      conntrackPeak: conntrack[i].peak,
    })),
    timeseries: series.rows(),
  };
}
