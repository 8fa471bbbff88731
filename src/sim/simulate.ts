// One simulated run: external clients → ingress node → kube-proxy lookup on that node's softirq
// CPU → (second hop) → pod queue and service → reply back the same way. A request's life reads as
// sendRequest → arriveAtNode → routeViaProxy → arriveAtPod → finishService → deliverResponse.

import type { Pod } from '../cluster/model.js';
import { RandomStreams } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import { Admission, Stations } from '../engine/station.js';
import { s } from '../engine/time.js';
import { RunRecorder } from '../metrics/run-recorder.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import { compileNodeTable } from '../proxy/compile.js';
import { NodeProxyState } from '../proxy/node-state.js';
import { buildServicePorts } from '../proxy/service-map.js';
import { type NodeProxyTable, Verdict } from '../proxy/types.js';
import { Timeseries, type TimeseriesRow } from '../metrics/timeseries.js';
import { Clients } from '../traffic/clients.js';
import { durationNs } from '../traffic/duration.js';
import { Ingress } from '../traffic/ingress.js';
import type { SimConfig } from './config.js';
import { OUTCOMES, Outcome } from './outcome.js';
import { RequestTable } from './requests.js';

export interface PodResult {
  readonly pod: string;
  readonly node: string;
  readonly requests: number;
}

export interface NodeResult {
  readonly node: string;
  readonly zone: string;
  readonly ingressRequests: number;
  readonly cpuUtil: number;
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
/** Linux's initial SYN retransmission timeout (TCP_TIMEOUT_INIT), doubled on each retry. */
const SYN_RTO_NS = 1e9;

export function simulate(cfg: SimConfig): RunResult {
  const sim = new Simulator();
  const streams = new RandomStreams(cfg.seed, cfg.replication);
  const { cluster } = cfg;
  const nodes = cluster.nodes;
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));

  // The target service port and the table each node's kube-proxy compiled for it.
  const servicePorts = [...buildServicePorts(cluster), ...cfg.backgroundServicePorts];
  const target = servicePorts.find((sp) => `${sp.namespace}/${sp.serviceName}` === cfg.targetService && sp.nodePort > 0);
  if (!target) throw new Error(`simulate: ${cfg.targetService} has no nodePort`);
  const nodePort = target.nodePort;
  // Kernel state (affinity lists, IPVS counters) lives per node and survives recompiles.
  const proxyState = nodes.map(() => new NodeProxyState());
  const compile = (node: number): NodeProxyTable =>
    compileNodeTable(cfg.proxy.mode, nodes[node].name, servicePorts, cfg.proxy.costs, {
      ipvsScheduler: cfg.proxy.ipvsScheduler,
      nodeIP: nodes[node].ip,
      state: proxyState[node],
    });
  const tables: NodeProxyTable[] = nodes.map((_, i) => compile(i));

  // Pods that back the target, by IP: the proxy answers with endpoints, the model runs pods.
  const targetIps = new Set(target.endpoints.map((e) => e.ip));
  const pods: Pod[] = cluster.pods.filter((p) => targetIps.has(p.ip));
  const podByIp = new Map(pods.map((p, i) => [p.ip, i]));
  const podNode = Int32Array.from(pods.map((p) => nodeIndex.get(p.nodeName) ?? -1));
  const podAlive = new Uint8Array(pods.length).fill(1);
  const podStations = new Stations(
    pods.map(() => cfg.pods.concurrency),
    pods.map(() => cfg.pods.queueLimit),
  );
  const cpus = new Stations(
    nodes.map(() => cfg.nodes.softirqCores),
    nodes.map(() => Infinity),
  );

  // Every random consumer draws from its own named stream.
  const arrivalGap = durationNs({ dist: 'exponential', meanMs: 1000 / cfg.traffic.ratePerS }, streams.stream('arrivals'));
  const pickClient = streams.stream('clients');
  const ingress = new Ingress(cfg.traffic.ingress, nodes.length, streams.stream('ingress'));
  const proxyDraws = streams.stream('proxy');
  const serviceTime = durationNs(cfg.pods.serviceTime, streams.stream('service'));
  const clientToNode = durationNs(cfg.network.clientToNodeMs, streams.stream('net.client-node'));
  const nodeToNode = durationNs(cfg.network.nodeToNodeMs, streams.stream('net.node-node'));
  const nodeToNodeCross = durationNs(cfg.network.nodeToNodeCrossZoneMs, streams.stream('net.node-node-cross-zone'));
  const nodeToPod = durationNs(cfg.network.nodeToPodMs, streams.stream('net.node-pod'));
  const delay = (d: { sample(): number }): number => Math.round(d.sample());
  const hopBetween = (a: number, b: number): number =>
    delay(nodes[a].zone === nodes[b].zone ? nodeToNode : nodeToNodeCross);

  const req = new RequestTable();
  const clients = new Clients(cfg.traffic.clients, cfg.traffic.requestsPerConnection);
  const closedLoop = cfg.traffic.model === 'closed';
  const thinkTime = durationNs(cfg.traffic.thinkTimeMs, streams.stream('think'));
  const rec = new RunRecorder(OUTCOMES.length, pods.length, nodes.length);
  const series = new Timeseries(s(cfg.timeseriesBucketS), OUTCOMES, pods.map((p) => p.name));
  const ingressCount = new Float64Array(nodes.length);
  const warmupNs = s(cfg.warmupS);
  const endNs = warmupNs + s(cfg.durationS);
  const connectTimeoutNs = s(cfg.traffic.connectTimeoutS);
  const requestTimeoutNs = s(cfg.traffic.requestTimeoutS);
  const conntrackHitNs = cfg.proxy.costs.conntrackHitNs;

  /** Every request ends here, once: counted, its connection freed, a closed-loop client rescheduled. */
  const finish = (r: number, outcome: number, latencyNs = 0): void => {
    if (req.measured[r] === 1) rec.countOutcome(outcome);
    series.ended(sim.now, outcome, latencyNs);
    const client = req.client[r];
    const closed = clients.done(client, req.conn[r], outcome === Outcome.Ok);
    // IPVS's least-connection schedulers count connections until they close.
    if (closed && req.endpoint[r] >= 0) tables[req.ingressNode[r]].release(nodePort, req.endpoint[r]);
    if (closedLoop && sim.now < endNs) sim.schedule(delay(thinkTime), sendRequest, client);
    req.release(r);
  };

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
    req.measured[r] = now >= warmupNs ? 1 : 0;
    const reused = clients.reuse(client);
    let node: number;
    if (reused > 0) {
      req.conn[r] = reused;
      req.newConnection[r] = 0;
      node = clients.connNode[client];
    } else {
      node = ingress.pick();
      req.conn[r] = clients.open(client, node);
      req.newConnection[r] = 1;
      if (node < 0) {
        // No node in service at the balancer: the client's SYNs go unanswered.
        sim.schedule(connectTimeoutNs, failTimeout, r);
        return;
      }
    }
    req.ingressNode[r] = node;
    if (req.measured[r] === 1) ingressCount[node]++;
    const d = delay(clientToNode);
    req.networkNs[r] += d;
    sim.schedule(d, arriveAtNode, r);
  });

  // The packet reaches the node: a new connection walks the proxy's rules, a packet of an
  // established one is translated by conntrack; either way it costs softirq CPU there, FIFO.
  const arriveAtNode = sim.register('arriveAtNode', (r) => {
    const node = req.ingressNode[r];
    if (req.newConnection[r] === 1) {
      const table = tables[node];
      const verdict = table.connect(nodePort, clients.ip(req.client[r]), sim.now, proxyDraws);
      // IPVS under Local with no local endpoint forwards without SNAT: the reply never returns.
      const pod = table.lastReplyLost
        ? REPLY_LOST
        : verdict >= 0
          ? (podByIp.get(table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[verdict].ip) ?? STALE)
          : verdict;
      req.endpoint[r] = verdict;
      req.pod[r] = pod;
      if (pod >= 0) clients.pin(req.client[r], req.conn[r], pod, verdict);
      req.masqueraded[r] = table.lastMasquerade ? 1 : 0;
      req.cpuCostNs[r] = table.lastCostNs;
      req.rulesWalked[r] = table.lastRulesWalked;
    } else {
      req.pod[r] = clients.connPod[req.client[r]];
      req.endpoint[r] = clients.connEndpoint[req.client[r]];
      req.cpuCostNs[r] = conntrackHitNs;
    }
    req.queuedAt[r] = sim.now;
    if (cpus.arrive(node, r) === Admission.Started) sim.schedule(Math.round(req.cpuCostNs[r]), routeViaProxy, r);
  });

  const routeViaProxy = sim.register('routeViaProxy', (r) => {
    const node = req.ingressNode[r];
    const next = cpus.depart(node);
    if (next >= 0) sim.schedule(Math.round(req.cpuCostNs[next]), routeViaProxy, next);
    req.dataplaneNs[r] += sim.now - req.queuedAt[r];
    if (req.measured[r] === 1) {
      rec.nodeCpu(node, req.cpuCostNs[r]);
      if (req.newConnection[r] === 1) rec.walkedRules(req.rulesWalked[r]);
    }
    const pod = req.pod[r];
    if (pod === Verdict.Drop) {
      // Silently dropped: the client retransmits the SYN after 1 s, 2 s, 4 s… until it gives up.
      const rto = SYN_RTO_NS * 2 ** (req.syns[r] - 1);
      if (sim.now + rto - req.sentAt[r] < connectTimeoutNs) {
        req.syns[r]++;
        sim.schedule(rto, arriveAtNode, r);
      } else {
        sim.scheduleAt(Math.max(sim.now, req.sentAt[r] + connectTimeoutNs), failDropped, r);
      }
      return;
    }
    if (pod === REPLY_LOST) {
      // The client never sees a SYN-ACK it recognises and gives up at its connect timeout.
      sim.scheduleAt(Math.max(sim.now, req.sentAt[r] + connectTimeoutNs), failTimeout, r);
      return;
    }
    if (pod === Verdict.Reject || pod === Verdict.NoService) {
      // An ICMP port-unreachable (or RST) travels back: the client sees "connection refused".
      sim.schedule(delay(clientToNode), failRejected, r);
      return;
    }
    if (pod === STALE) {
      // An endpoint the proxy still lists but whose pod is gone.
      finish(r, Outcome.FailedStaleEndpoint);
      return;
    }
    const podHome = podNode[pod];
    let d = delay(nodeToPod);
    if (podHome !== node) d += hopBetween(node, podHome);
    req.networkNs[r] += d;
    sim.schedule(d, arriveAtPod, r);
  });

  const failDropped = sim.register('failDropped', (r) => finish(r, Outcome.DroppedNoLocalEndpoint));
  const failRejected = sim.register('failRejected', (r) => finish(r, Outcome.RejectedNoEndpoints));
  const failTimeout = sim.register('failTimeout', (r) => finish(r, Outcome.Timeout));

  const arriveAtPod = sim.register('arriveAtPod', (r) => {
    const pod = req.pod[r];
    if (podAlive[pod] === 0) {
      finish(r, Outcome.FailedStaleEndpoint);
      return;
    }
    if (req.measured[r] === 1) rec.reachedPodVia(pod, podNode[pod] === req.ingressNode[r] ? 1 : 2, req.masqueraded[r] === 0);
    series.reachedPod(sim.now, pod);
    req.queuedAt[r] = sim.now;
    const admission = podStations.arrive(pod, r);
    if (admission === Admission.Started) startService(r);
    else if (admission === Admission.Full) finish(r, Outcome.QueueFull);
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
    const next = podStations.depart(pod);
    if (next >= 0) startService(next);
    const podHome = podNode[pod];
    const node = req.ingressNode[r];
    let d = delay(nodeToPod) + delay(clientToNode);
    if (podHome !== node) d += hopBetween(podHome, node);
    req.networkNs[r] += d;
    sim.schedule(d, deliverResponse, r);
  });

  // A reply later than the client's timeout counts as a timeout: the client stopped waiting.
  const deliverResponse = sim.register('deliverResponse', (r) => {
    const latency = sim.now - req.sentAt[r];
    if (latency > requestTimeoutNs) {
      finish(r, Outcome.Timeout);
      return;
    }
    if (req.measured[r] === 1) {
      rec.served(latency, req.networkNs[r], req.dataplaneNs[r], req.podQueueNs[r], req.serviceNs[r]);
    }
    finish(r, Outcome.Ok, latency);
  });

  if (closedLoop) for (let c = 0; c < cfg.traffic.clients; c++) sim.schedule(delay(thinkTime), sendRequest, c);
  else sim.schedule(delay(arrivalGap), sendRequest, -1);
  sim.run();

  const windowNs = endNs - warmupNs;
  const metrics = rec.finish({
    durationNs: windowNs,
    softirqCores: cfg.nodes.softirqCores,
    inFlight: req.live,
    events: sim.eventsProcessed,
  });
  return {
    metrics,
    pods: pods.map((p, i) => ({ pod: p.name, node: p.nodeName, requests: rec.podRequests[i] })),
    nodes: nodes.map((n, i) => ({
      node: n.name,
      zone: n.zone,
      ingressRequests: ingressCount[i],
      cpuUtil: rec.nodeCpuUtil(i, windowNs, cfg.nodes.softirqCores),
    })),
    timeseries: series.rows(),
  };
}
