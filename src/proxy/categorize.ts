// Which endpoints a node balances over, as pkg/proxy/topology.go CategorizeEndpoints picks them
// (no topology hints modelled): Ready ones, else Serving+Terminating ones, independently for
// Cluster and for Local policy.

import type { EndpointInfo, ServicePortInfo } from './service-map.js';

/** A growable Int32Array, so a 100k-service compile makes a handful of arrays, not 200k. */
export class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** A right-sized copy, for a table that keeps it. */
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

/** ServicePort.ExternallyAccessible: NodePort, ExternalIPs (LoadBalancer IPs are not modelled). */
export const externallyAccessible = (sp: ServicePortInfo): boolean => sp.nodePort > 0 || sp.externalIPs.length > 0;

/** UsesLocalEndpoints: externalTrafficPolicy Local on an externally reachable port. */
export const externalPolicyLocal = (sp: ServicePortInfo): boolean =>
  sp.externalTrafficPolicy === 'Local' && externallyAccessible(sp);

/** Headless services (clusterIP None or empty) get no rules at all. */
export const isProxied = (sp: ServicePortInfo): boolean => sp.clusterIP !== '' && sp.clusterIP !== 'None';

/**
 * Appends the Cluster endpoints' indexes to `out` and returns how many; Ready first, else
 * Serving+Terminating. A count > 0 is kube-proxy's hasAnyEndpoints (internal policy is Cluster).
 */
export function pushClusterEndpoints(eps: readonly EndpointInfo[], out: IntList): number {
  let n = 0;
  for (let i = 0; i < eps.length; i++) if (eps[i].ready) (out.push(i), n++);
  if (n > 0) return n;
  for (let i = 0; i < eps.length; i++) if (eps[i].serving && eps[i].terminating) (out.push(i), n++);
  return n;
}

/** The node's Local endpoints: local Ready ones, else local Serving+Terminating ones. */
export function pushLocalEndpoints(eps: readonly EndpointInfo[], nodeName: string, out: IntList): number {
  let n = 0;
  for (let i = 0; i < eps.length; i++) if (eps[i].ready && eps[i].nodeName === nodeName) (out.push(i), n++);
  if (n > 0) return n;
  for (let i = 0; i < eps.length; i++) {
    const e = eps[i];
    if (e.nodeName === nodeName && e.serving && e.terminating) (out.push(i), n++);
  }
  return n;
}
