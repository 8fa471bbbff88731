// Builders for ServicePortInfo values in tests, sorted and de-duplicated as buildServicePorts does.

import type { Protocol, SessionAffinity, TrafficPolicy } from '../../src/cluster/model.js';
import type { EndpointInfo, ServicePortInfo } from '../../src/proxy/service-map.js';

export interface EndpointSpec {
  ip: string;
  port?: number;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  zoneHints?: string[];
}

export interface ServicePortSpec {
  ns?: string;
  svc?: string;
  portName?: string;
  protocol?: Protocol;
  clusterIP?: string;
  port?: number;
  nodePort?: number;
  externalIPs?: string[];
  policy?: TrafficPolicy;
  /** spec.internalTrafficPolicy (Cluster when absent). */
  internalPolicy?: TrafficPolicy;
  affinity?: SessionAffinity;
  affinityTimeoutS?: number;
  healthCheckNodePort?: number;
  endpoints?: EndpointSpec[];
  /** status.loadBalancer.ingress IPs, and spec.loadBalancerSourceRanges as kube-proxy holds them. */
  loadBalancerIPs?: string[];
  sourceRanges?: string[];
}

export function endpoint(e: EndpointSpec, defaultPort: number): EndpointInfo {
  const port = e.port ?? defaultPort;
  const ready = e.ready ?? true;
  return {
    ip: e.ip,
    port,
    nodeName: e.node ?? '',
    ready,
    serving: e.serving ?? ready,
    terminating: e.terminating ?? false,
    key: `${e.ip}:${port}`,
    ...(e.zoneHints === undefined ? {} : { zoneHints: e.zoneHints }),
  };
}

export function servicePort(s: ServicePortSpec): ServicePortInfo {
  const ns = s.ns ?? 'ns1';
  const svc = s.svc ?? 'svc1';
  const portName = s.portName ?? 'p80';
  const port = s.port ?? 80;
  const seen = new Map<string, EndpointInfo>();
  for (const e of s.endpoints ?? []) {
    const ep = endpoint(e, port);
    if (!seen.has(ep.key)) seen.set(ep.key, ep);
  }
  return {
    name: portName ? `${ns}/${svc}:${portName}` : `${ns}/${svc}`,
    namespace: ns,
    serviceName: svc,
    portName,
    protocol: s.protocol ?? 'TCP',
    clusterIP: s.clusterIP ?? '172.30.0.41',
    port,
    nodePort: s.nodePort ?? 0,
    externalIPs: s.externalIPs ?? [],
    externalTrafficPolicy: s.policy ?? 'Cluster',
    ...(s.internalPolicy === 'Local' ? { internalTrafficPolicy: 'Local' as const } : {}),
    sessionAffinity: s.affinity ?? 'None',
    sessionAffinityTimeoutS: s.affinityTimeoutS ?? 10_800,
    healthCheckNodePort: s.healthCheckNodePort ?? 0,
    ...(s.loadBalancerIPs === undefined ? {} : { loadBalancerIPs: s.loadBalancerIPs }),
    ...(s.sourceRanges === undefined ? {} : { loadBalancerSourceRanges: s.sourceRanges }),
    endpoints: [...seen.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)),
  };
}
