// Decoding of the networking kinds: Service, EndpointSlice and v1 Endpoints.

import { FieldReader, type Json, PORT_MAX, PROTOCOLS } from './decode-fields.js';
import type { DecodedEndpoints, DecodedEndpointSlice, DecodedService, Source } from './decoded.js';
import type { Endpoint, EndpointSlicePort, IPFamily, LoadBalancerIngress, ServicePort, ServiceType } from './model.js';
import { quote } from '../input/quote.js';
import { INVALID_IP, ipFamilyOf, portName } from './validate-names.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
const IP_FAMILIES: readonly IPFamily[] = ['IPv4', 'IPv6'];

function decodeServicePorts(r: FieldReader, p: string, spec: Json, type: ServiceType): ServicePort[] {
  // An ExternalName service is a DNS alias: ports are optional and unused (ValidateService).
  const rawPorts = r.list(spec.ports, `${p}spec.ports`, type !== 'ExternalName') ?? [];
  if (Array.isArray(spec.ports) && rawPorts.length === 0 && type !== 'ExternalName') r.fail(`${p}spec.ports`, 'Required value: expected at least one port');
  return rawPorts.map((pv, i) => {
    const pp = `${p}spec.ports[${i}]`;
    const port = r.map(pv, pp, true) ?? {};
    const portNumber = r.int(port.port, `${pp}.port`, 1, PORT_MAX, true) ?? 0;
    const name = r.str(port.name, `${pp}.name`) ?? '';
    if (name === '' && rawPorts.length > 1) r.fail(`${pp}.name`, 'Required value: every port of a multi-port service needs a name');
    let targetPort: number | string = portNumber;
    if (typeof port.targetPort === 'string' && port.targetPort !== '') {
      targetPort = /^\d+$/.test(port.targetPort) ? Number(port.targetPort) : port.targetPort;
      const bad = typeof targetPort === 'string' ? portName(targetPort) : targetPort < 1 || targetPort > PORT_MAX ? `must be between 1 and ${PORT_MAX}, inclusive` : undefined;
      if (bad !== undefined) r.fail(`${pp}.targetPort`, `Invalid value: ${quote(port.targetPort)}: ${bad}`);
    } else if (port.targetPort !== undefined && port.targetPort !== null && port.targetPort !== 0) {
      targetPort = r.int(port.targetPort, `${pp}.targetPort`, 1, PORT_MAX) ?? portNumber;
    }
    const nodePort = r.int(port.nodePort, `${pp}.nodePort`, 0, PORT_MAX);
    if (nodePort !== undefined && nodePort !== 0 && (type === 'ClusterIP' || type === 'ExternalName')) {
      r.fail(`${pp}.nodePort`, `Forbidden: may not be used when \`type\` is '${type}'`);
    }
    return {
      name,
      protocol: r.oneOf(port.protocol, `${pp}.protocol`, PROTOCOLS, 'TCP'),
      port: portNumber,
      targetPort,
      ...(nodePort === undefined || nodePort === 0 ? {} : { nodePort }),
    };
  });
}

/** spec.clusterIP and spec.clusterIPs: each a valid IP or `None`; clusterIPs[0] is clusterIP. */
function decodeClusterIPs(r: FieldReader, p: string, spec: Json, type: ServiceType): { clusterIP?: string; clusterIPs: string[] } {
  const clusterIP = r.str(spec.clusterIP, `${p}spec.clusterIP`) || undefined;
  const listed = (r.list(spec.clusterIPs, `${p}spec.clusterIPs`) ?? []).map((v, i) => r.str(v, `${p}spec.clusterIPs[${i}]`, true) ?? '');
  const clusterIPs = listed.length > 0 ? listed : clusterIP === undefined ? [] : [clusterIP];
  if (clusterIP !== undefined && listed.length > 0 && listed[0] !== clusterIP) {
    r.fail(`${p}spec.clusterIPs[0]`, `Invalid value: ${quote(listed[0])}: must match \`clusterIP\` when both are specified`);
  }
  clusterIPs.forEach((ip, i) => {
    if (ip === 'None') {
      if (i > 0 || clusterIPs.length > 1) r.fail(`${p}spec.clusterIPs[${i}]`, `Invalid value: "None": must not be specified with other IPs`);
      else if (type === 'NodePort' || type === 'LoadBalancer') r.fail(`${p}spec.clusterIPs[0]`, `Invalid value: "None": may not be set to 'None' for ${type} services`);
    } else if (ipFamilyOf(ip) === undefined) r.fail(`${p}spec.clusterIPs[${i}]`, `Invalid value: ${quote(ip)}: ${INVALID_IP}`);
  });
  return { clusterIP: clusterIP ?? clusterIPs[0], clusterIPs };
}

function decodeIngress(r: FieldReader, p: string, obj: Json): LoadBalancerIngress[] {
  const status = r.map(obj.status, `${p}status`) ?? {};
  const lb = r.map(status.loadBalancer, `${p}status.loadBalancer`) ?? {};
  return (r.list(lb.ingress, `${p}status.loadBalancer.ingress`) ?? []).map((v, i) => {
    const ing = r.map(v, `${p}status.loadBalancer.ingress[${i}]`) ?? {};
    const ip = r.str(ing.ip, `${p}status.loadBalancer.ingress[${i}].ip`);
    const hostname = r.str(ing.hostname, `${p}status.loadBalancer.ingress[${i}].hostname`);
    if (ip !== undefined && ip !== '' && ipFamilyOf(ip) === undefined) r.fail(`${p}status.loadBalancer.ingress[${i}].ip`, `Invalid value: ${quote(ip)}: ${INVALID_IP}`);
    return { ...(ip ? { ip } : {}), ...(hostname ? { hostname } : {}) };
  });
}

export function decodeService(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedService {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const spec = r.map(obj.spec, `${p}spec`, true) ?? {};
  const type = r.oneOf(spec.type, `${p}spec.type`, SERVICE_TYPES, 'ClusterIP');
  const ports = decodeServicePorts(r, p, spec, type);
  const selector = r.checkedLabels(spec.selector, `${p}spec.selector`);
  const policy = r.oneOf(spec.externalTrafficPolicy, `${p}spec.externalTrafficPolicy`, ['Cluster', 'Local'] as const, 'Cluster');
  if (spec.externalTrafficPolicy === 'Local' && (type === 'ClusterIP' || type === 'ExternalName')) {
    r.fail(`${p}spec.externalTrafficPolicy`, "Invalid value: \"Local\": may only be set when `type` is 'NodePort' or 'LoadBalancer'");
  }
  // spec.internalTrafficPolicy: the API defaults it to Cluster for every type but ExternalName.
  const internalPolicy = r.oneOf(spec.internalTrafficPolicy, `${p}spec.internalTrafficPolicy`, ['Cluster', 'Local'] as const, 'Cluster');
  const externalName = r.str(spec.externalName, `${p}spec.externalName`, type === 'ExternalName');
  const affinityConfig = r.map(spec.sessionAffinityConfig, `${p}spec.sessionAffinityConfig`) ?? {};
  const clientIP = r.map(affinityConfig.clientIP, `${p}spec.sessionAffinityConfig.clientIP`) ?? {};
  const healthCheckNodePort = r.int(spec.healthCheckNodePort, `${p}spec.healthCheckNodePort`, 0, PORT_MAX);
  const externalIPs = (r.list(spec.externalIPs, `${p}spec.externalIPs`) ?? []).map((v, i) => r.str(v, `${p}spec.externalIPs[${i}]`, true) ?? '');
  const sourceRanges = decodeSourceRanges(r, p, spec.loadBalancerSourceRanges, type);
  const annotations = r.labels(meta.annotations, `${p}metadata.annotations`);
  checkSourceRangesAnnotation(r, p, annotations, type);
  const ips = decodeClusterIPs(r, p, spec, type);
  const ipFamilies = (r.list(spec.ipFamilies, `${p}spec.ipFamilies`) ?? []).map((v, i) => r.oneOf(v, `${p}spec.ipFamilies[${i}]`, IP_FAMILIES, 'IPv4'));
  const ipFamilyPolicy = r.str(spec.ipFamilyPolicy, `${p}spec.ipFamilyPolicy`);
  const createdAt = r.str(meta.creationTimestamp, `${p}metadata.creationTimestamp`);
  return {
    source,
    namespace,
    name,
    labels: r.checkedLabels(meta.labels, `${p}metadata.labels`),
    annotations,
    ...(typeof spec.trafficDistribution === 'string' ? { trafficDistribution: spec.trafficDistribution } : {}),
    type,
    // An ExternalName service has no cluster IP, whatever a dump's leftover field says.
    ...(type === 'ExternalName' || ips.clusterIP === undefined ? {} : { clusterIP: ips.clusterIP }),
    // The API drops an empty selector, and the EndpointSlice controller then manages nothing.
    selector: Object.keys(selector).length === 0 ? null : selector,
    ports,
    externalTrafficPolicy: policy,
    ...(internalPolicy === 'Local' ? { internalTrafficPolicy: internalPolicy } : {}),
    ...(healthCheckNodePort === undefined || healthCheckNodePort === 0 ? {} : { healthCheckNodePort }),
    sessionAffinity: r.oneOf(spec.sessionAffinity, `${p}spec.sessionAffinity`, ['None', 'ClientIP'] as const, 'None'),
    // 10800 s is the API default (see DEFAULT_AFFINITY_TIMEOUT_S); the API caps it at one day.
    sessionAffinityTimeoutS: r.int(clientIP.timeoutSeconds, `${p}spec.sessionAffinityConfig.clientIP.timeoutSeconds`, 1, 86_400) ?? 10_800,
    externalIPs,
    allocateLoadBalancerNodePorts: r.bool(spec.allocateLoadBalancerNodePorts, `${p}spec.allocateLoadBalancerNodePorts`) ?? true,
    ...(externalName === undefined ? {} : { externalName }),
    loadBalancerIngress: decodeIngress(r, p, obj),
    ...(sourceRanges.length === 0 ? {} : { loadBalancerSourceRanges: sourceRanges }),
    clusterIPs: type === 'ExternalName' ? [] : ips.clusterIPs,
    ipFamilies,
    ...(ipFamilyPolicy === undefined ? {} : { ipFamilyPolicy }),
    ...(createdAt === undefined ? {} : { createdAt }),
  };
}

/**
 * spec.loadBalancerSourceRanges, each trimmed as the apiserver's ValidateLoadBalancerSourceRanges
 * and kube-proxy's MapCIDRsByIPFamily (pkg/proxy/util) trim it; only a LoadBalancer may set them.
 */
function decodeSourceRanges(r: FieldReader, p: string, value: unknown, type: ServiceType): string[] {
  const path = `${p}spec.loadBalancerSourceRanges`;
  const ranges = (r.list(value, path) ?? []).map((v, i) => (r.str(v, `${path}[${i}]`, true) ?? '').trim());
  if (ranges.length > 0 && type !== 'LoadBalancer') r.fail(path, "Forbidden: may only be used when `type` is 'LoadBalancer'");
  ranges.forEach((cidr, i) => {
    if (!looksLikeCidr(cidr)) r.fail(`${path}[${i}]`, `Invalid value: ${quote(cidr)}: must be a list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 `);
  });
  return ranges;
}

const looksLikeCidr = (text: string): boolean => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(text);

/** The apiserver validates the source-ranges annotation of a LoadBalancer as it does the field (ValidateService). */
function checkSourceRangesAnnotation(r: FieldReader, p: string, annotations: Readonly<Record<string, string>>, type: ServiceType): void {
  const key = 'service.beta.kubernetes.io/load-balancer-source-ranges';
  const value = annotations[key];
  if (type !== 'LoadBalancer' || value === undefined || value.trim() === '') return;
  if (value.split(',').every((c) => looksLikeCidr(c.trim()))) return;
  r.fail(`${p}metadata.annotations[${key}]`, `Invalid value: ${quote(value)}: must be a comma separated list of IP ranges. For example, 10.240.0.0/24,10.250.0.0/24 `);
}

function decodePorts(r: FieldReader, value: unknown, path: string): EndpointSlicePort[] {
  return (r.list(value, path) ?? []).map((pv, i) => {
    const port = r.map(pv, `${path}[${i}]`, true) ?? {};
    return {
      name: r.str(port.name, `${path}[${i}].name`) ?? '',
      protocol: r.oneOf(port.protocol, `${path}[${i}].protocol`, PROTOCOLS, 'TCP'),
      port: r.int(port.port, `${path}[${i}].port`, 1, PORT_MAX, true) ?? 0,
    };
  });
}

function checkedIP(r: FieldReader, value: unknown, path: string): string {
  const ip = r.str(value, path, true) ?? '';
  if (ip !== '' && ipFamilyOf(ip) === undefined) r.fail(path, `Invalid value: ${quote(ip)}: ${INVALID_IP}`);
  return ip;
}

export function decodeEndpointSlice(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedEndpointSlice | undefined {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const labels = r.checkedLabels(meta.labels, `${p}metadata.labels`);
  const addressType = r.str(obj.addressType, `${p}addressType`, true);
  const ports = decodePorts(r, obj.ports, `${p}ports`);
  const endpoints: Endpoint[] = (r.list(obj.endpoints, `${p}endpoints`) ?? []).map((ev, i) => {
    const ep = `${p}endpoints[${i}]`;
    const endpoint = r.map(ev, ep, true) ?? {};
    const addresses = r.list(endpoint.addresses, `${ep}.addresses`, true) ?? [];
    // Consumers use only the first address (discovery.k8s.io/v1 API docs). FQDN slices are not read.
    const ip = addressType === 'FQDN' ? '' : checkedIP(r, addresses[0], `${ep}.addresses[0]`);
    const conditions = r.map(endpoint.conditions, `${ep}.conditions`) ?? {};
    const targetRef = r.map(endpoint.targetRef, `${ep}.targetRef`);
    const ready = r.bool(conditions.ready, `${ep}.conditions.ready`);
    const serving = r.bool(conditions.serving, `${ep}.conditions.serving`);
    const terminating = r.bool(conditions.terminating, `${ep}.conditions.terminating`);
    const podName = targetRef?.kind === 'Pod' ? r.str(targetRef.name, `${ep}.targetRef.name`) : undefined;
    const hints = r.map(endpoint.hints, `${ep}.hints`);
    const forZones = hints === undefined ? undefined : (r.list(hints.forZones, `${ep}.hints.forZones`) ?? []);
    const zoneHints = forZones?.map((z, k) => r.str(r.map(z, `${ep}.hints.forZones[${k}]`)?.name, `${ep}.hints.forZones[${k}].name`) ?? '');
    return {
      ip,
      nodeName: r.str(endpoint.nodeName, `${ep}.nodeName`) ?? '',
      // nil conditions: ready and serving count as true, terminating as false (as kube-proxy reads them).
      ready: ready ?? true,
      serving: serving ?? ready ?? true,
      terminating: terminating ?? false,
      ...(podName === undefined ? {} : { podName }),
      ...(zoneHints === undefined ? {} : { zoneHints }),
    };
  });
  const serviceName = labels[SERVICE_NAME_LABEL];
  if (serviceName === undefined || (addressType !== 'IPv4' && addressType !== 'IPv6')) return undefined;
  // The slice's addressType is a promise about every address in it (ValidateEndpointSlice).
  endpoints.forEach((e, i) => {
    if (e.ip !== '' && ipFamilyOf(e.ip) !== undefined && ipFamilyOf(e.ip) !== addressType) {
      r.fail(`${p}endpoints[${i}].addresses[0]`, `Invalid value: ${quote(e.ip)}: must be an ${addressType} address`);
    }
  });
  return { source, namespace, name, serviceName, addressType, ports, endpoints };
}

/** v1 Endpoints: `addresses` are ready, `notReadyAddresses` not; each subset's addresses share its ports. */
export function decodeEndpoints(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedEndpoints {
  const subsets = (r.list(obj.subsets, `${p}subsets`) ?? []).map((sv, i) => {
    const sp = `${p}subsets[${i}]`;
    const subset = r.map(sv, sp) ?? {};
    const read = (list: unknown, field: string, ready: boolean): Endpoint[] =>
      (r.list(list, `${sp}.${field}`) ?? []).map((av, j) => {
        const ap = `${sp}.${field}[${j}]`;
        const address = r.map(av, ap, true) ?? {};
        const targetRef = r.map(address.targetRef, `${ap}.targetRef`);
        const podName = targetRef?.kind === 'Pod' ? r.str(targetRef.name, `${ap}.targetRef.name`) : undefined;
        return {
          ip: checkedIP(r, address.ip, `${ap}.ip`),
          nodeName: r.str(address.nodeName, `${ap}.nodeName`) ?? '',
          ready,
          serving: ready,
          terminating: false,
          ...(podName === undefined ? {} : { podName }),
        };
      });
    return {
      ports: decodePorts(r, subset.ports, `${sp}.ports`),
      endpoints: [...read(subset.addresses, 'addresses', true), ...read(subset.notReadyAddresses, 'notReadyAddresses', false)],
    };
  });
  return { source, namespace, name, subsets };
}
