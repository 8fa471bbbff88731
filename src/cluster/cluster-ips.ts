// Cluster IPs as the apiserver's allocator hands them out (pkg/registry/core/service/ipallocator):
// an IP the input already carries was allocated by a real control plane and is kept (two services
// may not share one); the first host address of the range is the `default/kubernetes` Service's
// (the apiserver reserves it for itself); the rest count up from the second.

import { type Cidr, formatIPv4, parseIPv4 } from '../net/ipv4.js';
import type { DecodedService } from './decoded.js';
import { type Issues, objectName } from './build-issues.js';

/** Whether the service gets a cluster IP at all: ExternalName services never do, headless ones hold `None`. */
export const needsClusterIP = (s: DecodedService): boolean => s.type !== 'ExternalName' && s.clusterIP === undefined;

const isKubernetesService = (s: DecodedService): boolean => s.namespace === 'default' && s.name === 'kubernetes';

/** One cluster IP per service, in input order: '' for ExternalName, `None` for headless. */
export function allocateClusterIPs(services: readonly DecodedService[], serviceCidr: Cidr, issues: Issues): string[] {
  const holder = new Map<string, string>();
  const used = new Set<number>([serviceCidr.base]);
  const out = services.map((s) => {
    if (s.type === 'ExternalName') return '';
    if (s.clusterIP === undefined || s.clusterIP === 'None') return s.clusterIP ?? '';
    const other = holder.get(s.clusterIP);
    if (other !== undefined) {
      issues.add(s.source, objectName('Service', s), 'spec.clusterIPs', `Invalid value: ["${s.clusterIP}"]: failed to allocate IP ${s.clusterIP}: provided IP is already allocated`);
    }
    holder.set(s.clusterIP, `${s.namespace}/${s.name}`);
    const n = parseIPv4(s.clusterIP);
    if (n !== undefined) used.add(n);
    return s.clusterIP;
  });
  const first = serviceCidr.base + 1;
  const kubernetes = services.findIndex((s) => isKubernetesService(s) && needsClusterIP(s));
  if (kubernetes >= 0 && !used.has(first)) {
    used.add(first);
    out[kubernetes] = formatIPv4(first);
  }
  // Reserved whether or not the input lists the kubernetes Service: the apiserver always holds it.
  used.add(first);
  let next = serviceCidr.base + 2;
  const last = serviceCidr.base + serviceCidr.size - 1; // the broadcast address is never handed out
  services.forEach((s, i) => {
    if (!needsClusterIP(s) || i === kubernetes && out[i] !== '') return;
    while (used.has(next)) next++;
    if (next >= last) {
      issues.add(s.source, objectName('Service', s), 'spec.clusterIPs', 'Internal error occurred: failed to allocate a serviceIP: range is full');
      return;
    }
    used.add(next);
    out[i] = formatIPv4(next++);
  });
  return out;
}
