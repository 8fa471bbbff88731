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
import { buildServicePorts } from '../proxy/service-map.js';
import { type NodeProxyTable, Verdict } from '../proxy/types.js';
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
}

/** External clients' addresses start at 100.64.0.1 (RFC 6598 space, clear of cluster CIDRs). */
const CLIENT_IP_BASE = (100 << 24) + (64 << 16) + 1;
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
  const tables: NodeProxyTable[] = nodes.map((n) => compileNodeTable(cfg.proxy.mode, n.name, servicePorts, cfg.proxy.costs));

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
  const rec = new RunRecorder(OUTCOMES.length, pods.length, nodes.length);
  const ingressCount = new Float64Array(nodes.length);
  const warmupNs = s(cfg.warmupS);
  const endNs = warmupNs + s(cfg.durationS);
  const connectTimeoutNs = s(cfg.traffic.connectTimeoutS);

  const finish = (r: number, outcome: number): void => {
    if (req.measured[r] === 1) rec.countOutcome(outcome);
    req.release(r);
  };

  // Open-loop Poisson arrivals over all clients: a superposition of Poisson clients is Poisson,
  // so one pending arrival serves thousands of clients exactly.
  const sendRequest = sim.register('sendRequest', () => {
    const now = sim.now;
    if (now >= endNs) return;
    const r = req.alloc();
    req.client[r] = Math.floor(pickClient() * cfg.traffic.clients);
    req.sentAt[r] = now;
    req.networkNs[r] = 0;
    req.dataplaneNs[r] = 0;
    req.podQueueNs[r] = 0;
    req.serviceNs[r] = 0;
    req.syns[r] = 1;
    req.newConnection[r] = 1;
    req.measured[r] = now >= warmupNs ? 1 : 0;
    const node = ingress.pick();
    if (node < 0) {
      // No node in service at the balancer: the client's SYNs go unanswered.
      sim.schedule(connectTimeoutNs, failTimeout, r);
    } else {
      req.ingressNode[r] = node;
      if (req.measured[r] === 1) ingressCount[node]++;
      const d = delay(clientToNode);
      req.networkNs[r] += d;
      sim.schedule(d, arriveAtNode, r);
    }
    sim.schedule(delay(arrivalGap), sendRequest);
  });

  // The SYN reaches the node: the lookup costs softirq CPU there, queued FIFO behind others.
  const arriveAtNode = sim.register('arriveAtNode', (r) => {
    const node = req.ingressNode[r];
    const table = tables[node];
    const clientIp = CLIENT_IP_BASE + req.client[r];
    const verdict = table.connect(nodePort, clientIp, sim.now, proxyDraws);
    req.pod[r] = verdict >= 0 ? (podByIp.get(table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[verdict].ip) ?? -1) : verdict;
    req.masqueraded[r] = table.lastMasquerade ? 1 : 0;
    req.cpuCostNs[r] = table.lastCostNs;
    req.rulesWalked[r] = table.lastRulesWalked;
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
      rec.walkedRules(req.rulesWalked[r]);
    }
    const pod = req.pod[r];
    if (pod === Verdict.Drop) {
      // Silently dropped: the client retransmits the SYN after 1 s, 2 s, 4 s… until it gives up.
      const rto = SYN_RTO_NS * 2 ** (req.syns[r] - 1);
      if (sim.now + rto - req.sentAt[r] < connectTimeoutNs) {
        req.syns[r]++;
        sim.schedule(rto, arriveAtNode, r);
      } else {
        sim.scheduleAt(req.sentAt[r] + connectTimeoutNs, failDropped, r);
      }
      return;
    }
    if (pod === Verdict.Reject || pod === Verdict.NoService) {
      finish(r, Outcome.RejectedNoEndpoints);
      return;
    }
    if (pod < 0) {
      // An endpoint the proxy still lists but the simulator has no pod for.
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
  const failTimeout = sim.register('failTimeout', (r) => finish(r, Outcome.Timeout));

  const arriveAtPod = sim.register('arriveAtPod', (r) => {
    const pod = req.pod[r];
    if (podAlive[pod] === 0) {
      finish(r, Outcome.FailedStaleEndpoint);
      return;
    }
    if (req.measured[r] === 1) rec.reachedPodVia(pod, podNode[pod] === req.ingressNode[r] ? 1 : 2, req.masqueraded[r] === 0);
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

  const deliverResponse = sim.register('deliverResponse', (r) => {
    if (req.measured[r] === 1) {
      rec.served(sim.now - req.sentAt[r], req.networkNs[r], req.dataplaneNs[r], req.podQueueNs[r], req.serviceNs[r]);
    }
    finish(r, Outcome.Ok);
  });

  sim.schedule(delay(arrivalGap), sendRequest);
  sim.run();

  const durationNs_ = endNs - warmupNs;
  const metrics = rec.finish({
    durationNs: durationNs_,
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
      cpuUtil: rec.nodeCpuUtil(i, durationNs_, cfg.nodes.softirqCores),
    })),
  };
}
