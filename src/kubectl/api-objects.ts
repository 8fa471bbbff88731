// The Kubernetes API objects `get -o json|yaml` prints: each model object as the input gave it
// or as the simulator built it, with the fields the model knows (apiVersion, kind, metadata,
// spec, status). Read back with -f, an object decodes to the same model object, so the `get`
// tables of the printed objects are the tables of the originals.

import { slicesOf } from '../cluster/endpoint-slices.js';
import type { Cluster, Deployment, EndpointSlice, Labels, Node, Pod, Service } from '../cluster/model.js';
import type { JsonObject } from './print-objects.js';
import { nodeLabels, type ResourceItem, sliceLabels } from './resources.js';

/** A Kubernetes object as a plain JSON object. */
export type ApiObject = JsonObject;

/** Labels and annotations only when there are some, as the API omits empty maps. */
const nonEmpty = (key: string, map: Labels | undefined): ApiObject => (map === undefined || Object.keys(map).length === 0 ? {} : { [key]: { ...map } });
const condition = (type: string, holds: boolean): ApiObject => ({ type, status: holds ? 'True' : 'False' });
const created = (at: string | undefined): ApiObject => (at === undefined ? {} : { creationTimestamp: at });

export function nodeObject(node: Node): ApiObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: node.name, ...created(node.createdAt), ...nonEmpty('labels', nodeLabels(node)) },
    ...(node.podCIDR === undefined ? {} : { spec: { podCIDR: node.podCIDR, podCIDRs: [node.podCIDR] } }),
    status: {
      addresses: [{ type: 'InternalIP', address: node.ip }],
      conditions: [condition('Ready', node.ready)],
      ...nodeInfo(node),
    },
  };
}

function nodeInfo(node: Node): ApiObject {
  const info: Record<string, string> = {};
  if (node.kubeletVersion !== undefined) info.kubeletVersion = node.kubeletVersion;
  if (node.osImage !== undefined) info.osImage = node.osImage;
  if (node.kernelVersion !== undefined) info.kernelVersion = node.kernelVersion;
  if (node.containerRuntime !== undefined) info.containerRuntimeVersion = node.containerRuntime;
  return Object.keys(info).length === 0 ? {} : { nodeInfo: info };
}

/** PodPhase values; any other STATUS (CrashLoopBackOff, OOMKilled, ...) is a container's reason. */
const PHASES = new Set(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']);

export function podObject(pod: Pod): ApiObject {
  const status = pod.status ?? 'Running';
  const reason = PHASES.has(status) ? undefined : status;
  // A finished container's reason (Completed, Error, OOMKilled) is a terminated state, not a waiting one.
  const finished = pod.phase === 'Succeeded' || pod.phase === 'Failed';
  const restarts = pod.restarts ?? 0;
  // The model keeps a pod's restarts as one sum and its reason once: both go on the first container.
  const containerStatuses: ApiObject =
    reason === undefined && restarts === 0
      ? {}
      : {
          containerStatuses: pod.containers.map((c, i) => ({
            name: c.name,
            ready: pod.ready,
            restartCount: i === 0 ? restarts : 0,
            ...(i === 0 && reason !== undefined ? { state: (finished ? { terminated: { reason } } : { waiting: { reason } }) as ApiObject } : {}),
          })),
        };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: pod.name,
      namespace: pod.namespace,
      ...created(pod.createdAt),
      ...nonEmpty('labels', pod.labels),
      ...(pod.ownerKind === undefined || pod.ownerName === undefined ? {} : { ownerReferences: [{ kind: pod.ownerKind, name: pod.ownerName, controller: true }] }),
    },
    spec: {
      ...(pod.hostNetwork === true ? { hostNetwork: true } : {}),
      containers: pod.containers.map((c) => ({
        name: c.name,
        ...(c.ports.length === 0
          ? {}
          : { ports: c.ports.map((p) => ({ ...(p.name === undefined ? {} : { name: p.name }), containerPort: p.containerPort, protocol: p.protocol })) }),
        // The model keeps only that a readiness probe exists, not its handler.
        ...(c.hasReadinessProbe ? { readinessProbe: {} } : {}),
      })),
      ...(pod.nodeName === '' ? {} : { nodeName: pod.nodeName }),
    },
    status: {
      phase: pod.phase ?? (reason === undefined ? status : 'Running'),
      ...(pod.ip === '' ? {} : { podIP: pod.ip, podIPs: [{ ip: pod.ip }] }),
      conditions: [condition('Ready', pod.ready)],
      ...containerStatuses,
    },
  };
}

export function serviceObject(service: Service): ApiObject {
  const s = service;
  const external = s.type === 'NodePort' || s.type === 'LoadBalancer';
  const ingress = s.loadBalancerIngress ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace, ...created(s.createdAt), ...nonEmpty('labels', s.labels), ...nonEmpty('annotations', s.annotations) },
    spec: {
      type: s.type,
      ...(s.clusterIP === '' ? {} : { clusterIP: s.clusterIP, clusterIPs: [...(s.clusterIPs ?? [s.clusterIP])] }),
      ...(s.externalName === undefined ? {} : { externalName: s.externalName }),
      // The apiserver's defaults for a single-family cluster, as describe prints them.
      ...(s.type === 'ExternalName'
        ? {}
        : { ipFamilies: [...(s.ipFamilies ?? [s.clusterIP.includes(':') ? 'IPv6' : 'IPv4'])], ipFamilyPolicy: s.ipFamilyPolicy ?? 'SingleStack' }),
      ...(s.selector === null ? {} : { selector: { ...s.selector } }),
      ports: s.ports.map((p) => ({
        ...(p.name === '' ? {} : { name: p.name }),
        protocol: p.protocol,
        port: p.port,
        targetPort: p.targetPort,
        ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort }),
      })),
      ...(s.externalIPs.length === 0 ? {} : { externalIPs: [...s.externalIPs] }),
      // The API sets externalTrafficPolicy only for services reachable from outside.
      ...(external ? { externalTrafficPolicy: s.externalTrafficPolicy } : {}),
      internalTrafficPolicy: 'Cluster',
      ...(s.healthCheckNodePort === undefined ? {} : { healthCheckNodePort: s.healthCheckNodePort }),
      // A LoadBalancer without nodePorts is one that was built with allocateLoadBalancerNodePorts false.
      ...(s.type === 'LoadBalancer' ? { allocateLoadBalancerNodePorts: s.ports.every((p) => p.nodePort !== undefined) } : {}),
      sessionAffinity: s.sessionAffinity,
      ...(s.sessionAffinity === 'ClientIP' ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: s.sessionAffinityTimeoutS } } } : {}),
    },
    status: { loadBalancer: ingress.length === 0 ? {} : { ingress: ingress.map((i) => ({ ...i })) } },
  };
}

/**
 * The v1 Endpoints object the Endpoints controller mirrors from the service's slices: one
 * subset per port set, ready addresses and not-ready ones apart, each list sorted by IP.
 */
export function endpointsObject(service: Service, slices: readonly EndpointSlice[]): ApiObject {
  const subsets = new Map<string, { slice: EndpointSlice; ready: Map<string, ApiObject>; notReady: Map<string, ApiObject> }>();
  // The Endpoints controller writes the service's primary family only.
  const family = service.clusterIP.includes(':') ? 'IPv6' : 'IPv4';
  for (const slice of slices) {
    if ((slice.addressType ?? 'IPv4') !== family) continue;
    const key = slice.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
    let subset = subsets.get(key);
    if (subset === undefined) {
      subset = { slice, ready: new Map(), notReady: new Map() };
      subsets.set(key, subset);
    }
    for (const e of slice.endpoints) {
      const address = {
        ip: e.ip,
        ...(e.nodeName === '' ? {} : { nodeName: e.nodeName }),
        ...(e.podName === undefined ? {} : { targetRef: { kind: 'Pod', name: e.podName, namespace: slice.namespace } }),
      };
      (e.ready ? subset.ready : subset.notReady).set(e.ip, address);
    }
  }
  const sorted = (m: Map<string, ApiObject>): ApiObject[] => [...m.keys()].sort().map((ip) => m.get(ip) as ApiObject);
  const list = [...subsets.values()]
    .filter((s) => s.ready.size + s.notReady.size > 0)
    .map((s) => ({
      ...(s.ready.size === 0 ? {} : { addresses: sorted(s.ready) }),
      ...(s.notReady.size === 0 ? {} : { notReadyAddresses: sorted(s.notReady) }),
      ...(s.slice.ports.length === 0 ? {} : { ports: s.slice.ports.map((p) => ({ ...(p.name === '' ? {} : { name: p.name }), port: p.port, protocol: p.protocol })) }),
    }));
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: service.name, namespace: service.namespace, ...nonEmpty('labels', service.labels) },
    ...(list.length === 0 ? {} : { subsets: list }),
  };
}

export function endpointSliceObject(slice: EndpointSlice): ApiObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: slice.name, namespace: slice.namespace, labels: { ...sliceLabels(slice) } },
    addressType: slice.addressType ?? 'IPv4',
    ports: slice.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
    endpoints: slice.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
      ...(e.nodeName === '' ? {} : { nodeName: e.nodeName }),
      ...(e.podName === undefined ? {} : { targetRef: { kind: 'Pod', name: e.podName, namespace: slice.namespace } }),
    })),
  };
}

export function deploymentObject(d: Deployment): ApiObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, namespace: d.namespace },
    spec: {
      replicas: d.replicas,
      selector: { matchLabels: { ...d.selector } },
      template: {
        metadata: { labels: { ...d.templateLabels } },
        spec: {
          containers: d.containers.map((c) => ({
            name: c.name,
            ...(c.ports.length === 0 ? {} : { ports: c.ports.map((p) => ({ ...(p.name === undefined ? {} : { name: p.name }), containerPort: p.containerPort, protocol: p.protocol })) }),
            ...(c.hasReadinessProbe ? { readinessProbe: {} } : {}),
          })),
        },
      },
    },
  };
}

export function apiObject(cluster: Cluster, item: ResourceItem): ApiObject {
  switch (item.type) {
    case 'nodes':
      return nodeObject(item.object);
    case 'pods':
      return podObject(item.object);
    case 'services':
      return serviceObject(item.object);
    case 'endpoints':
      return endpointsObject(item.object, slicesOf(cluster, item.object));
    case 'endpointslices':
      return endpointSliceObject(item.object);
    case 'deployments':
      return deploymentObject(item.object);
  }
}
