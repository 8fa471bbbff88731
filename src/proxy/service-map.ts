// kube-proxy's shared vocabulary: service ports and their endpoints, the input every mode compiles.
// Mirrors pkg/proxy's ServicePortName / BaseServicePortInfo / BaseEndpointInfo.

import { endpointsForServicePort } from '../cluster/endpoint-slices.js';
import type { Cluster, Node, Protocol, Service, SessionAffinity, TrafficPolicy } from '../cluster/model.js';
import { hintsMode, zoneHints } from '../cluster/topology-hints.js';
import { formatIPv4, parseIPv4 } from '../net/ipv4.js';

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
  /** status.loadBalancer.ingress IPs of a LoadBalancer service (LoadBalancerVIPs); absent when none. */
  readonly loadBalancerIPs?: readonly string[];
  /**
   * spec.loadBalancerSourceRanges of the IPv4 family as kube-proxy holds them (LoadBalancerSourceRanges):
   * trimmed, parsed sloppily and printed as the network (net.IPNet.String()); absent when none.
   */
  readonly loadBalancerSourceRanges?: readonly string[];
  readonly externalTrafficPolicy: TrafficPolicy;
  /** spec.internalTrafficPolicy when Local (BaseServicePortInfo.InternalPolicyLocal); absent: Cluster. */
  readonly internalTrafficPolicy?: 'Local';
  readonly sessionAffinity: SessionAffinity;
  readonly sessionAffinityTimeoutS: number;
  /** 0 when none. */
  readonly healthCheckNodePort: number;
  /** Sorted by `key` as strings and de-duplicated, as endpointsMapFromEndpointInfo does. */
  readonly endpoints: readonly EndpointInfo[];
}

/** The service's IPv4 cluster IP (the first of clusterIPs that is one), or undefined. */
function ipv4ClusterIP(svc: Service): string | undefined {
  if (svc.type === 'ExternalName' || svc.clusterIP === 'None') return undefined;
  const ips = svc.clusterIPs ?? [svc.clusterIP];
  return ips.find((ip) => ip !== '' && !ip.includes(':'));
}

/**
 * MapCIDRsByIPFamily (pkg/proxy/util/utils.go) for the IPv4 family: trim, ParseCIDRSloppy (an
 * address with host bits names its network), skip what does not parse and the IPv6 ranges.
 */
function ipv4SourceRanges(ranges: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of ranges) {
    const text = raw.trim();
    const slash = text.indexOf('/');
    const ip = slash < 0 ? undefined : parseIPv4(text.slice(0, slash));
    const bits = slash < 0 ? Number.NaN : Number(text.slice(slash + 1));
    if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32 || !/^\d+$/.test(text.slice(slash + 1))) continue;
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    out.push(`${formatIPv4((ip & mask) >>> 0)}/${bits}`);
  }
  return out;
}

const byKey = (a: EndpointInfo, b: EndpointInfo): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** Every (service × port) with the endpoints its EndpointSlices list for that port. */
export function buildServicePorts(cluster: Cluster): ServicePortInfo[] {
  const out: ServicePortInfo[] = [];
  for (const svc of cluster.services) {
    // ExternalName and headless services get no rules (kube-proxy's ServiceChangeTracker skips
    // them: pkg/proxy/servicechangetracker.go); nor does a service with no IPv4 cluster IP.
    const clusterIP = ipv4ClusterIP(svc);
    if (clusterIP === undefined) continue;
    // The IPv4 proxier's VIPs: ingress hostnames (ELB) are the cloud's business, not kube-proxy's.
    const lbIPs = svc.type === 'LoadBalancer' ? (svc.loadBalancerIngress ?? []).flatMap((i) => (i.ip !== undefined && !i.ip.includes(':') ? [i.ip] : [])) : [];
    const sourceRanges = ipv4SourceRanges(svc.loadBalancerSourceRanges ?? []);
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
        clusterIP,
        port: sp.port,
        nodePort: sp.nodePort ?? 0,
        externalIPs: svc.externalIPs,
        ...(lbIPs.length === 0 ? {} : { loadBalancerIPs: lbIPs }),
        ...(sourceRanges.length === 0 ? {} : { loadBalancerSourceRanges: sourceRanges }),
        externalTrafficPolicy: svc.externalTrafficPolicy,
        ...(svc.internalTrafficPolicy === 'Local' ? { internalTrafficPolicy: 'Local' as const } : {}),
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
