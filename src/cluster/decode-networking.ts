// Decoding of the networking kinds: Service and EndpointSlice.

import { FieldReader, type Json, PORT_MAX, PROTOCOLS } from './decode-fields.js';
import type { DecodedEndpointSlice, DecodedService, Source } from './decoded.js';
import type { Endpoint, EndpointSlicePort, ServicePort } from './model.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function decodeService(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedService {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const spec = r.map(obj.spec, `${p}spec`, true) ?? {};
  const type = r.oneOf(spec.type, `${p}spec.type`, ['ClusterIP', 'NodePort', 'LoadBalancer'] as const, 'ClusterIP');
  const rawPorts = r.list(spec.ports, `${p}spec.ports`, true) ?? [];
  if (Array.isArray(spec.ports) && rawPorts.length === 0) r.fail(`${p}spec.ports`, 'Required value: expected at least one port');
  const ports: ServicePort[] = rawPorts.map((pv, i) => {
    const pp = `${p}spec.ports[${i}]`;
    const port = r.map(pv, pp, true) ?? {};
    const portNumber = r.int(port.port, `${pp}.port`, 1, PORT_MAX, true) ?? 0;
    const portName = r.str(port.name, `${pp}.name`) ?? '';
    if (portName === '' && rawPorts.length > 1) r.fail(`${pp}.name`, 'Required value: every port of a multi-port service needs a name');
    let targetPort: number | string = portNumber;
    if (typeof port.targetPort === 'string' && port.targetPort !== '') {
      targetPort = /^\d+$/.test(port.targetPort) ? Number(port.targetPort) : port.targetPort;
    } else if (port.targetPort !== undefined && port.targetPort !== null) {
      targetPort = r.int(port.targetPort, `${pp}.targetPort`, 1, PORT_MAX) ?? portNumber;
    }
    const nodePort = r.int(port.nodePort, `${pp}.nodePort`, 0, PORT_MAX);
    if (nodePort !== undefined && nodePort !== 0 && type === 'ClusterIP') {
      r.fail(`${pp}.nodePort`, "Forbidden: may not be used when `type` is 'ClusterIP'");
    }
    return {
      name: portName,
      protocol: r.oneOf(port.protocol, `${pp}.protocol`, PROTOCOLS, 'TCP'),
      port: portNumber,
      targetPort,
      ...(nodePort === undefined || nodePort === 0 ? {} : { nodePort }),
    };
  });
  const selector = r.labels(spec.selector, `${p}spec.selector`);
  const policy = r.oneOf(spec.externalTrafficPolicy, `${p}spec.externalTrafficPolicy`, ['Cluster', 'Local'] as const, 'Cluster');
  if (spec.externalTrafficPolicy === 'Local' && type === 'ClusterIP') {
    r.fail(`${p}spec.externalTrafficPolicy`, "Invalid value: \"Local\": may only be set when `type` is 'NodePort' or 'LoadBalancer'");
  }
  const affinityConfig = r.map(spec.sessionAffinityConfig, `${p}spec.sessionAffinityConfig`) ?? {};
  const clientIP = r.map(affinityConfig.clientIP, `${p}spec.sessionAffinityConfig.clientIP`) ?? {};
  const healthCheckNodePort = r.int(spec.healthCheckNodePort, `${p}spec.healthCheckNodePort`, 0, PORT_MAX);
  const externalIPs = (r.list(spec.externalIPs, `${p}spec.externalIPs`) ?? []).map((v, i) => r.str(v, `${p}spec.externalIPs[${i}]`, true) ?? '');
  return {
    source,
    namespace,
    name,
    labels: r.labels(meta.labels, `${p}metadata.labels`),
    annotations: r.labels(meta.annotations, `${p}metadata.annotations`),
    ...(typeof spec.trafficDistribution === 'string' ? { trafficDistribution: spec.trafficDistribution } : {}),
    type,
    clusterIP: r.str(spec.clusterIP, `${p}spec.clusterIP`) || undefined,
    // The API drops an empty selector, and the EndpointSlice controller then manages nothing.
    selector: Object.keys(selector).length === 0 ? null : selector,
    ports,
    externalTrafficPolicy: policy,
    ...(healthCheckNodePort === undefined || healthCheckNodePort === 0 ? {} : { healthCheckNodePort }),
    sessionAffinity: r.oneOf(spec.sessionAffinity, `${p}spec.sessionAffinity`, ['None', 'ClientIP'] as const, 'None'),
    // 10800 s is the API default (see DEFAULT_AFFINITY_TIMEOUT_S); the API caps it at one day.
    sessionAffinityTimeoutS: r.int(clientIP.timeoutSeconds, `${p}spec.sessionAffinityConfig.clientIP.timeoutSeconds`, 1, 86_400) ?? 10_800,
    externalIPs,
    allocateLoadBalancerNodePorts: r.bool(spec.allocateLoadBalancerNodePorts, `${p}spec.allocateLoadBalancerNodePorts`) ?? true,
  };
}

export function decodeEndpointSlice(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedEndpointSlice | undefined {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const labels = r.labels(meta.labels, `${p}metadata.labels`);
  const addressType = r.str(obj.addressType, `${p}addressType`, true);
  const ports: EndpointSlicePort[] = (r.list(obj.ports, `${p}ports`) ?? []).map((pv, i) => {
    const port = r.map(pv, `${p}ports[${i}]`, true) ?? {};
    return {
      name: r.str(port.name, `${p}ports[${i}].name`) ?? '',
      protocol: r.oneOf(port.protocol, `${p}ports[${i}].protocol`, PROTOCOLS, 'TCP'),
      port: r.int(port.port, `${p}ports[${i}].port`, 1, PORT_MAX, true) ?? 0,
    };
  });
  const endpoints: Endpoint[] = (r.list(obj.endpoints, `${p}endpoints`) ?? []).map((ev, i) => {
    const ep = `${p}endpoints[${i}]`;
    const endpoint = r.map(ev, ep, true) ?? {};
    const addresses = r.list(endpoint.addresses, `${ep}.addresses`, true) ?? [];
    // Consumers use only the first address (discovery.k8s.io/v1 API docs).
    const ip = r.str(addresses[0], `${ep}.addresses[0]`, true) ?? '';
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
  return { source, namespace, name, serviceName, addressType, ports, endpoints };
}

