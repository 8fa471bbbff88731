// EndpointSlices as the EndpointSlice controller derives them from a Service's selector and its
// pods (pkg/controller/endpointslice): pods grouped by their resolved ports, at most 100
// endpoints per slice, not-ready pods kept with ready=false. Plus reading a service port's endpoints.

import type { Cluster, Endpoint, EndpointSlice, EndpointSlicePort, Pod, Service, ServicePort } from './model.js';
import { serviceKey } from './model.js';

/** kube-controller-manager --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** k8s.io/apimachinery utilrand alphabet used by generateName: no vowels, no look-alikes. */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** generateName keeps at most 63 - 5 characters of the base. */
const MAX_BASE_LENGTH = 58;

/** podutil.FindPort: a number is used as is; a name is looked up among the pod's container ports. */
export function resolveTargetPort(pod: Pod, port: Pick<ServicePort, 'targetPort' | 'protocol'>): number | undefined {
  if (typeof port.targetPort === 'number') return port.targetPort;
  for (const container of pod.containers) {
    for (const cp of container.ports) {
      if (cp.name === port.targetPort && cp.protocol === port.protocol) return cp.containerPort;
    }
  }
  return undefined;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** `<service>-<5 chars>`, a deterministic stand-in for generateName's random suffix. */
export function sliceName(service: Pick<Service, 'namespace' | 'name'>, ordinal: number, taken: Set<string>): string {
  const base = `${service.name}-`.slice(0, MAX_BASE_LENGTH);
  for (let salt = 0; ; salt++) {
    let hash = fnv1a(`${serviceKey(service)}/${ordinal}/${salt}`);
    let suffix = '';
    for (let i = 0; i < 5; i++) {
      suffix += NAME_ALPHABET[hash % NAME_ALPHABET.length];
      hash = Math.floor(hash / NAME_ALPHABET.length); // 27^5 < 2^32: five digits fit one hash
    }
    const name = `${base}${suffix}`;
    const key = `${service.namespace}/${name}`;
    if (!taken.has(key)) {
      taken.add(key);
      return name;
    }
  }
}

/**
 * The slices the controller keeps for `service` given the pods its selector picks. A pod
 * without an IP is left out; a pod that cannot resolve a named targetPort is listed without
 * that port, in a slice of its own port set, so it gets no traffic on that port.
 */
export function deriveEndpointSlices(service: Service, selected: readonly Pod[], taken: Set<string>): EndpointSlice[] {
  const groups = new Map<string, { addressType: 'IPv4' | 'IPv6'; ports: EndpointSlicePort[]; endpoints: Endpoint[] }>();
  for (const pod of selected) {
    // podutil.ShouldPodBeInEndpoints: no address yet, or finished (Succeeded, Failed): not an endpoint.
    if (pod.ip === '' || pod.phase === 'Succeeded' || pod.phase === 'Failed') continue;
    const addressType = pod.ip.includes(':') ? 'IPv6' : 'IPv4';
    const ports: EndpointSlicePort[] = [];
    for (const sp of service.ports) {
      const port = resolveTargetPort(pod, sp);
      if (port !== undefined) ports.push({ name: sp.name, protocol: sp.protocol, port });
    }
    const key = `${addressType}|${ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',')}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { addressType, ports, endpoints: [] };
      groups.set(key, group);
    }
    group.endpoints.push({
      ip: pod.ip,
      nodeName: pod.nodeName,
      ready: pod.ready,
      serving: pod.ready,
      terminating: false,
      podName: pod.name,
    });
  }
  const slices: EndpointSlice[] = [];
  for (const group of groups.values()) {
    for (let at = 0; at < group.endpoints.length; at += MAX_ENDPOINTS_PER_SLICE) {
      slices.push({
        namespace: service.namespace,
        name: sliceName(service, slices.length, taken),
        serviceName: service.name,
        addressType: group.addressType,
        ports: group.ports,
        endpoints: group.endpoints.slice(at, at + MAX_ENDPOINTS_PER_SLICE),
        derived: true,
      });
    }
  }
  // With no endpoints the controller still keeps one placeholder slice, without ports.
  if (slices.length === 0) {
    slices.push({
      namespace: service.namespace,
      name: sliceName(service, 0, taken),
      serviceName: service.name,
      addressType: 'IPv4',
      ports: [],
      endpoints: [],
      derived: true,
    });
  }
  return slices;
}

export interface ServicePortEndpoint {
  readonly ip: string;
  readonly port: number;
  readonly nodeName: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly podName?: string;
  readonly zoneHints?: readonly string[];
}

const slicesByService = new WeakMap<readonly EndpointSlice[], Map<string, EndpointSlice[]>>();

/** The cluster's slices grouped by `namespace/service`, computed once per slice list. */
export function slicesOf(cluster: Pick<Cluster, 'endpointSlices'>, service: { namespace: string; name: string }): readonly EndpointSlice[] {
  let index = slicesByService.get(cluster.endpointSlices);
  if (index === undefined) {
    index = new Map();
    for (const slice of cluster.endpointSlices) {
      const key = `${slice.namespace}/${slice.serviceName}`;
      const list = index.get(key);
      if (list === undefined) index.set(key, [slice]);
      else list.push(slice);
    }
    slicesByService.set(cluster.endpointSlices, index);
  }
  return index.get(serviceKey(service)) ?? [];
}

/**
 * Every endpoint of one service port, as kube-proxy reads the slices: matched by port name and
 * protocol. The simulated proxier is the IPv4 one: like kube-proxy's per-family proxiers
 * (pkg/proxy/endpointslicecache.go, filtered by the proxier's ipFamily), it ignores IPv6 slices.
 */
export function endpointsForServicePort(
  cluster: Pick<Cluster, 'endpointSlices'>,
  service: Service,
  port: ServicePort,
): ServicePortEndpoint[] {
  const out: ServicePortEndpoint[] = [];
  for (const slice of slicesOf(cluster, service)) {
    if (slice.addressType === 'IPv6') continue;
    const slicePort = slice.ports.find((p) => p.name === port.name && p.protocol === port.protocol);
    if (slicePort === undefined) continue;
    for (const e of slice.endpoints) {
      out.push({
        ip: e.ip,
        port: slicePort.port,
        nodeName: e.nodeName,
        ready: e.ready,
        serving: e.serving,
        terminating: e.terminating,
        ...(e.podName === undefined ? {} : { podName: e.podName }),
        ...(e.zoneHints === undefined ? {} : { zoneHints: e.zoneHints }),
      });
    }
  }
  return out;
}
