// One simulated run: external clients → ingress node (or in-cluster clients → their own node, or
// the node they call) → kube-proxy lookup on that node's softirq CPU → (second hop) → pod queue
// and service → reply back the same way. `simulate` wires the
// units that own each part of the run and runs it; a request's life reads top to bottom in
// request-lifecycle.ts.

import { RandomStreams } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import { s } from '../engine/time.js';
import { podListensOn } from '../cluster/pod-listens.js';
import { buildServicePorts, type EndpointInfo, withControllerHints } from '../proxy/service-map.js';
import { Clients } from '../traffic/clients.js';
import { type Cidr, parseCidr } from '../net/ipv4.js';
import { DEFAULT_CLIENT_CIDRS, clientBases } from '../traffic/client-addresses.js';
import { Firewall, SOURCE_RANGES_ANNOTATION, balancerSourceRanges } from '../traffic/firewall.js';
import { Balancer } from './balancer.js';
import { planChanges } from './changes.js';
import { ClusterChanges, podsBackingTarget } from './cluster-changes.js';
import { collectResults } from './collect-results.js';
import type { SimConfig } from './config.js';
import { Dataplane } from './dataplane.js';
import { Network } from './network.js';
import { Outcomes } from './outcomes.js';
import { PodFleet } from './pod-fleet.js';
import { RequestLifecycle } from './request-lifecycle.js';
import { ClientSources } from './sources.js';
import type { RunResult, SimObserver } from './run-result.js';

export type { NodeResult, PodResult, RequestRecord, RunResult, SimObserver } from './run-result.js';

/** Each node's conntrack occupancy at the end of every time-series bucket, for timeseries.csv. */
function sampleConntrack(sim: Simulator, dataplane: Dataplane, outcomes: Outcomes, bucketNs: number, endNs: number): void {
  const SAMPLE = sim.register('conntrackSample', () => {
    for (let n = 0; n < dataplane.conntrack.length; n++) outcomes.series.conntrackEntries(sim.now, n, dataplane.conntrackEntries(n, sim.now));
    if (sim.now + bucketNs <= endNs) sim.schedule(bucketNs, SAMPLE, 0);
  });
  sim.schedule(bucketNs, SAMPLE, 0);
}

export function simulate(cfg: SimConfig, observer: SimObserver = {}): RunResult {
  const sim = new Simulator();
  const streams = new RandomStreams(cfg.seed, cfg.replication);
  const { cluster } = cfg;
  const nodeIndex = new Map(cluster.nodes.map((n, i) => [n.name, i]));
  const warmupNs = s(cfg.warmupS);
  const endNs = warmupNs + s(cfg.durationS);

  // The target service port first, then every other one (they lengthen the tables).
  const clusterPorts = buildServicePorts(cluster);
  const target = clusterPorts.find(
    (sp) => `${sp.namespace}/${sp.serviceName}` === cfg.targetService && sp.nodePort > 0 && (cfg.targetPortName === undefined || sp.portName === cfg.targetPortName),
  );
  if (!target) throw new Error(`simulate: ${cfg.targetService} has no nodePort`);
  const service = cluster.services.find((x) => `${x.namespace}/${x.name}` === cfg.targetService);
  const servicePorts = [target, ...clusterPorts.filter((sp) => sp !== target), ...cfg.backgroundServicePorts];
  const declaredPort = (service?.ports.find((p) => p.name === target.portName) ?? service?.ports[0])?.targetPort;
  const targetPort = target.endpoints[0]?.port ?? (typeof declaredPort === 'number' ? declaredPort : 80);

  // Every pod the run will have (events create some); the run keeps those that back the target.
  const plan = planChanges(cluster, cfg.events, cfg.changeTiming);
  const planned = podsBackingTarget(cluster, plan, target, service);
  const initialIps = new Set(target.endpoints.map((e) => e.ip));
  const pods = new PodFleet(
    planned.map((i) => plan.pods[i]),
    nodeIndex,
    {
      alive: planned.map((i) => plan.initiallyAlive[i]),
      ready: planned.map((i) => plan.pods[i].ready && initialIps.has(plan.pods[i].ip)),
      listens: planned.map((i) => podListensOn(plan.pods[i], targetPort, target.protocol)),
    },
    { concurrency: cfg.pods.concurrency, queueLimit: cfg.pods.queueLimit, warmupNs, endNs },
  );

  const viaLb = cfg.traffic.via === 'load-balancer';
  if (viaLb && target.loadBalancerIPs === undefined) throw new Error(`simulate: ${cfg.targetService} has no load-balancer IP to send to`);
  const dataplane = new Dataplane(sim, cluster.nodes, servicePorts, target.nodePort, pods, streams.stream('proxy'), cfg);
  const local = target.externalTrafficPolicy === 'Local';
  // A cloud balancer health-checks its nodes (the healthCheckNodePort under Local), so a
  // round-robin ingress in front of the load-balancer address becomes a health-checked one.
  const ingress = viaLb && cfg.traffic.ingress === 'round-robin' ? 'health-checked' : cfg.traffic.ingress;
  const balancer = new Balancer(sim, ingress, cfg.healthCheck, cluster.nodes.length, streams.stream('ingress'), dataplane, local, endNs);
  const outcomes = new Outcomes(
    pods.pods.map((p) => p.name),
    cluster.nodes.length,
    s(cfg.timeseriesBucketS),
    { warmupNs, endNs },
    observer,
    cluster.nodes.map((n) => n.name),
  );
  sampleConntrack(sim, dataplane, outcomes, s(cfg.timeseriesBucketS), endNs);
  const network = new Network(cfg.network, cluster.nodes, streams);
  const cidrs = (cfg.traffic.clientCIDRs ?? DEFAULT_CLIENT_CIDRS).map((c) => parseCidr(c) as Cidr);
  const clients = new Clients(cfg.traffic.clients, cfg.traffic.requestsPerConnection, clientBases(cidrs));
  const sources = new ClientSources(cfg.traffic, cluster, clients, network);
  // The firewall sees the port the packet carries at the node: the nodePort, or the service port behind the LB address.
  const firewall = cfg.nodes.firewall ? new Firewall(cfg.nodes.firewall, cluster.nodes.map((n) => n.name), viaLb ? target.port : target.nodePort) : undefined;
  // A service with only the source-ranges annotation: kube-proxy ignores it, the cloud's balancer drops the rest.
  const annotated = viaLb && target.loadBalancerSourceRanges === undefined ? balancerSourceRanges(undefined, service?.annotations?.[SOURCE_RANGES_ANNOTATION]) : null;
  const balancerFilter = annotated === null ? undefined : new Firewall({ allow: annotated.map((cidr) => ({ cidr, ports: String(target.port) })) }, cluster.nodes.map((n) => n.name), target.port);
  const units = { clients, network, dataplane, pods, outcomes, balancer, sources, ...(firewall ? { firewall } : {}), ...(balancerFilter ? { balancerFilter } : {}) };
  const lifecycle = new RequestLifecycle(sim, cfg, streams, units);
  const hints = (endpoints: EndpointInfo[]) => (service ? withControllerHints(service, endpoints, cluster.nodes) : endpoints);
  const changes = new ClusterChanges(sim, plan, planned, pods, dataplane, lifecycle, targetPort, balancer, hints);

  observer.onStart?.({ nodes: cluster.nodes.map((n) => n.name), pods: pods.pods.map((p) => p.name) });
  changes.schedule(endNs);
  balancer.start();
  lifecycle.start();
  const onProgress = observer.onProgress;
  // 2^18 events: a few times a second at the engine's speed, and a test of one bit per event.
  sim.run(onProgress === undefined ? {} : { progress: { everyEvents: 2 ** 18, report: (nowNs) => onProgress(Math.min(1, nowNs / endNs)) } });
  lifecycle.checkBooks();

  const finished = { nodes: cluster.nodes, warmupNs, endNs, nowNs: sim.now, events: sim.eventsProcessed, inFlight: lifecycle.inFlight, softirqCores: cfg.nodes.softirqCores };
  return collectResults(finished, outcomes, pods, dataplane);
}
