// One sweep point's experiment turned into what the simulator reads: the cluster built from the
// manifests (service overrides applied) and the model parameters.

import { buildCluster } from '../cluster/build.js';
import type { ManifestDoc } from '../cluster/manifest-doc.js';
import type { Cluster, Service } from '../cluster/model.js';
import { InputError } from '../input/problems.js';
import { conntrackMaxFor } from '../proxy/conntrack.js';
import type { ServicePortInfo } from '../proxy/service-map.js';
import { DEFAULT_SYNC } from '../proxy/sync.js';
import { syntheticServicePorts } from '../proxy/synthetic.js';
import { checkEventTargets, planChanges } from '../sim/changes.js';
import type { SimConfig } from '../sim/config.js';
import type { Experiment } from './schema.js';
import { accessProblems, viaProblems, withLoadBalancerAddress } from './access-checks.js';
import { checkSourceNodes } from './traffic-sources.js';

export interface ResolvedCluster {
  readonly cluster: Cluster;
  readonly targetService: string;
  /** The target's port by name, for a multi-port service; its first port with a nodePort otherwise. */
  readonly targetPortName?: string;
  readonly backgroundServicePorts: readonly ServicePortInfo[];
  readonly notes: readonly string[];
}

/**
 * cluster.backgroundServices NodePort services that only lengthen the tables. kube-proxy writes
 * services in Go map order (random), so the target's expected place is the middle of
 * KUBE-NODEPORTS: half the background services are named to sort before any real namespace
 * and half after. Their nodePorts start above the default range, clear of the target's.
 */
function backgroundServices(count: number, endpointsPerService: number, nodeNames: readonly string[]): ServicePortInfo[] {
  if (count === 0) return [];
  const before = Math.floor(count / 2);
  return [
    ...syntheticServicePorts(before, endpointsPerService, nodeNames, { namespace: '0-background', startNodePort: 32_768 }),
    ...syntheticServicePorts(count - before, endpointsPerService, nodeNames, { namespace: 'zz-background', startNodePort: 32_768 + before }),
  ];
}

/** `ns/name:port` → its parts; a name without a namespace is in `default`, as kubectl reads it. */
function parseTargetRef(ref: string): { key: string; portName?: string } {
  const colon = ref.indexOf(':');
  const service = colon < 0 ? ref : ref.slice(0, colon);
  const key = service.includes('/') ? service : `default/${service}`;
  return colon < 0 ? { key } : { key, portName: ref.slice(colon + 1) };
}

/** The target: `cluster.service`, or else the only NodePort (or LoadBalancer) service. */
function findTarget(services: readonly Service[], ref: string | null): Service {
  const exposed = services.filter((s) => s.type === 'NodePort' || s.type === 'LoadBalancer');
  if (ref !== null) {
    const { key: wanted, portName } = parseTargetRef(ref);
    const s = services.find((x) => `${x.namespace}/${x.name}` === wanted);
    if (!s) throw new InputError([{ path: 'cluster.service', message: `got "${wanted}", expected one of the manifests' services: ${services.map((x) => `${x.namespace}/${x.name}`).join(', ') || 'none'}` }]);
    if (s.type !== 'NodePort' && s.type !== 'LoadBalancer') throw new InputError([{ path: 'cluster.service', message: `"${wanted}" is of type ${s.type}, expected a NodePort or LoadBalancer service` }]);
    if (portName !== undefined && !s.ports.some((p) => p.name === portName && p.nodePort !== undefined)) {
      throw new InputError([{ path: 'cluster.service', message: `"${ref}": ${wanted} has no port named ${portName} with a nodePort; its ports are ${s.ports.map((p) => p.name || '(unnamed)').join(', ')}` }]);
    }
    return s;
  }
  if (exposed.length !== 1) {
    const names = exposed.map((x) => `${x.namespace}/${x.name}`).join(', ');
    throw new InputError([{ path: 'cluster.service', message: exposed.length === 0 ? 'the manifests hold no NodePort service to send traffic to' : `several NodePort services (${names}): name the target as namespace/name` }]);
  }
  return exposed[0];
}

export function resolveCluster(experiment: Experiment, docs: readonly ManifestDoc[]): ResolvedCluster {
  const { cluster, notes } = buildCluster(docs, {
    nodes: experiment.cluster.nodes,
    placement: experiment.cluster.placement,
    nodePortRange: experiment.cluster.nodePortRange,
    ...(experiment.cluster.serviceCIDR === null ? {} : { serviceCidr: experiment.cluster.serviceCIDR }),
    ...(experiment.cluster.podCIDR === null ? {} : { podCidr: experiment.cluster.podCIDR }),
    ...(experiment.cluster.nodeCIDR === null ? {} : { nodeCidr: experiment.cluster.nodeCIDR }),
    allocateHealthCheckForNodePortLocal: experiment.traffic.ingress === 'health-checked',
  });
  const target = findTarget(cluster.services, experiment.cluster.service);
  const targetPortName = experiment.cluster.service === null ? undefined : parseTargetRef(experiment.cluster.service).portName;
  const eventIssues = checkEventTargets(cluster, experiment.events);
  if (eventIssues.length > 0) throw new InputError(eventIssues);
  // Planned once here too, so an event the cluster cannot hold is refused before any run starts.
  planChanges(cluster, experiment.events, experiment.lifecycle);
  const via = viaProblems(experiment, target);
  if (via.length > 0) throw new InputError(via);
  const o = experiment.service;
  const overridden: Service = {
    ...withLoadBalancerAddress(experiment, target),
    externalTrafficPolicy: o.externalTrafficPolicy ?? target.externalTrafficPolicy,
    ...(o.internalTrafficPolicy === null ? {} : { internalTrafficPolicy: o.internalTrafficPolicy }),
    sessionAffinity: o.sessionAffinity ?? target.sessionAffinity,
    sessionAffinityTimeoutS: o.sessionAffinityTimeoutS ?? target.sessionAffinityTimeoutS,
    ...(o.trafficDistribution === null ? {} : { trafficDistribution: o.trafficDistribution }),
    ...(o.topologyMode === null ? {} : { annotations: { ...target.annotations, 'service.kubernetes.io/topology-mode': o.topologyMode } }),
  };
  return {
    cluster: { ...cluster, services: cluster.services.map((s) => (s === target ? overridden : s)) },
    targetService: `${target.namespace}/${target.name}`,
    ...(targetPortName === undefined ? {} : { targetPortName }),
    backgroundServicePorts: backgroundServices(
      experiment.cluster.backgroundServices,
      experiment.cluster.backgroundEndpointsPerService,
      cluster.nodes.map((n) => n.name),
    ),
    notes,
  };
}

export function simConfigFor(experiment: Experiment, resolved: ResolvedCluster, replication: number): SimConfig {
  const access = accessProblems(experiment, resolved.cluster);
  if (access.length > 0) throw new InputError(access);
  checkSourceNodes(experiment, resolved.cluster);
  return {
    seed: experiment.seed,
    replication,
    durationS: experiment.durationS,
    warmupS: experiment.warmupS,
    timeseriesBucketS: experiment.timeseriesBucketS,
    cluster: resolved.cluster,
    targetService: resolved.targetService,
    ...(resolved.targetPortName === undefined ? {} : { targetPortName: resolved.targetPortName }),
    backgroundServicePorts: resolved.backgroundServicePorts,
    proxy: {
      mode: experiment.proxy.mode,
      ipvsScheduler: experiment.proxy.ipvsScheduler,
      ebpf: experiment.proxy.ebpf,
      costs: experiment.costs,
      sync: {
        ...DEFAULT_SYNC,
        minSyncPeriodNs: experiment.proxy.minSyncPeriodS * 1e9,
        burstSyncs: experiment.proxy.syncBurst,
        syncPeriodNs: experiment.proxy.syncPeriodS * 1e9,
        iptablesPartial: experiment.proxy.iptablesPartialRestore,
      },
      watchDelayMs: experiment.proxy.watchDelayMs,
      iptablesLocalhostNodePorts: experiment.proxy.iptablesLocalhostNodePorts,
    },
    conntrack: {
      maxEntries: experiment.conntrack.maxEntries ?? conntrackMaxFor(experiment.conntrack.maxPerCore, experiment.conntrack.min, experiment.nodes.cores),
      establishedTimeoutS: experiment.conntrack.establishedTimeoutS,
      timeWaitS: experiment.conntrack.timeWaitS,
    },
    healthCheck: experiment.healthCheck,
    events: experiment.events,
    changeTiming: experiment.lifecycle,
    traffic: experiment.traffic,
    pods: experiment.pods,
    network: experiment.network,
    nodes: experiment.nodes,
  };
}
