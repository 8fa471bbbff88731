// kube-proxy's shared vocabulary: service ports and their endpoints, the input every mode compiles.
// Mirrors pkg/proxy's ServicePortName / BaseServicePortInfo / BaseEndpointInfo.

import { endpointsForServicePort } from '../cluster/endpoint-slices.js';
import type { Cluster, Node, Protocol, Service, SessionAffinity, TrafficPolicy } from '../cluster/model.js';
import { hintsMode, zoneHints } from '../cluster/topology-hints.js';

export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  readonly nodeName: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  /** `ip:port`, BaseEndpointInfo.String(); kube-proxy sorts and hashes by it. */
  readonly key: string;
  /** hints.forZones (BaseEndpointInfo.ZoneHints); unset or empty: no hint. */
  readonly zoneHints?: readonly string[];
}

export interface ServicePortInfo {
  /** ServicePortName.String(): `ns/name`, plus `:port` when the port is named. */
  readonly name: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly portName: string;
  readonly protocol: Protocol;
  readonly clusterIP: string;
  readonly port: number;
  /** 0 when the service has no nodePort. */
  readonly nodePort: number;
  readonly externalIPs: readonly string[];
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly sessionAffinity: SessionAffinity;
  readonly sessionAffinityTimeoutS: number;
  /** 0 when none. */
  readonly healthCheckNodePort: number;
  /** Sorted by `key` as strings and de-duplicated, as endpointsMapFromEndpointInfo does. */
  readonly endpoints: readonly EndpointInfo[];
}

const byKey = (a: EndpointInfo, b: EndpointInfo): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Every (service × port) with the endpoints its EndpointSlices list for that port. */
export function buildServicePorts(cluster: Cluster): ServicePortInfo[] {
  const out: ServicePortInfo[] = [];
  for (const svc of cluster.services) {
    for (const sp of svc.ports) {
      const seen = new Map<string, EndpointInfo>();
      for (const ep of endpointsForServicePort(cluster, svc, sp)) {
        const key = `${ep.ip}:${ep.port}`;
        const prev = seen.get(key);
        // On a duplicate address kube-proxy keeps the non-terminating one.
        if (prev && !prev.terminating) continue;
        const hints = ep.zoneHints === undefined ? {} : { zoneHints: ep.zoneHints };
        seen.set(key, { ip: ep.ip, port: ep.port, nodeName: ep.nodeName, ready: ep.ready, serving: ep.serving, terminating: ep.terminating, key, ...hints });
      }
      const base = `${svc.namespace}/${svc.name}`;
      out.push({
        name: sp.name ? `${base}:${sp.name}` : base,
        namespace: svc.namespace,
        serviceName: svc.name,
        portName: sp.name,
        protocol: sp.protocol,
        clusterIP: svc.clusterIP,
        port: sp.port,
        nodePort: sp.nodePort ?? 0,
        externalIPs: svc.externalIPs,
        externalTrafficPolicy: svc.externalTrafficPolicy,
        sessionAffinity: svc.sessionAffinity,
        sessionAffinityTimeoutS: svc.sessionAffinityTimeoutS,
        healthCheckNodePort: svc.healthCheckNodePort ?? 0,
        endpoints: withControllerHints(svc, [...seen.values()].sort(byKey), cluster.nodes),
      });
    }
  }
  return out;
}


/**
 * The endpoints with the zone hints the EndpointSlice controller gives a service that asks for
 * them (topology-hints.ts), unless the slices already carry hints (a dump of a real cluster).
 * The hints are computed over this port's endpoints in kube-proxy's order.
 */
export function withControllerHints(svc: Pick<Service, 'annotations' | 'trafficDistribution'>, endpoints: EndpointInfo[], nodes: readonly Node[]): EndpointInfo[] {
  const mode = hintsMode(svc);
  if (mode === null || endpoints.some((e) => e.zoneHints !== undefined)) return endpoints;
  const result = zoneHints(mode, endpoints, nodes);
  if (result.kind === 'none') return endpoints;
  return endpoints.map((e, i) => {
    const zone = result.forZone[i];
    return zone === undefined ? e : { ...e, zoneHints: [zone] };
  });
}
