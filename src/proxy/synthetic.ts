// Generated NodePort services for scale experiments (cluster.backgroundServices): built
// directly as ServicePortInfo, with endpoints spread round-robin over the given nodes.
// NodePorts count up from `startNodePort`: the default range 30000-32767 holds 2768, so
// larger counts run past 32767 and, beyond 65535, past any real port; the tables treat a
// nodePort as an opaque key, so the model stays exact while the numbers stop being real ports.

import type { EndpointInfo, ServicePortInfo } from './service-map.js';

export interface SyntheticOptions {
  readonly startNodePort?: number;
  readonly namespace?: string;
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

export function syntheticServicePorts(
  count: number,
  endpointsPerService: number,
  nodeNames: readonly string[],
  opts: SyntheticOptions = {},
): ServicePortInfo[] {
  const start = opts.startNodePort ?? 30_000;
  const ns = opts.namespace ?? 'background';
  const out: ServicePortInfo[] = new Array(count);
  let podSerial = 0;
  for (let i = 0; i < count; i++) {
    const name = `svc-${String(i).padStart(6, '0')}`;
    const eps: EndpointInfo[] = new Array(endpointsPerService);
    for (let k = 0; k < endpointsPerService; k++, podSerial++) {
      // Pod IPs from 10.128.0.0/9, unique per endpoint; keys sort as strings, as kube-proxy's do.
      const ip = `10.${128 + ((podSerial >>> 16) & 127)}.${(podSerial >>> 8) & 255}.${podSerial & 255}`;
      eps[k] = { ip, port: 8080, nodeName: nodeNames[podSerial % nodeNames.length], ready: true, serving: true, terminating: false, key: `${ip}:8080` };
    }
    eps.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    out[i] = {
      name: `${ns}/${name}`,
      namespace: ns,
      serviceName: name,
      portName: '',
      protocol: 'TCP',
      clusterIP: `172.${16 + ((i >>> 16) & 15)}.${(i >>> 8) & 255}.${i & 255}`,
      port: 80,
      nodePort: start + i,
      externalIPs: [],
      externalTrafficPolicy: opts.externalTrafficPolicy ?? 'Cluster',
      sessionAffinity: 'None',
      sessionAffinityTimeoutS: 10_800,
      healthCheckNodePort: 0,
      endpoints: eps,
    };
  }
  return out;
}
