// Which endpoints a node balances over, as pkg/proxy/topology.go CategorizeEndpoints picks them
// (no topology hints modelled): Ready ones, else Serving+Terminating ones, independently for
// Cluster and for Local policy. Every mode's compiler and the health check call this one function.

import type { IntList } from '../engine/typed-arrays.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';

/** ServicePort.ExternallyAccessible: NodePort, ExternalIPs (LoadBalancer IPs are not modelled). */
export const externallyAccessible = (sp: ServicePortInfo): boolean => sp.nodePort > 0 || sp.externalIPs.length > 0 || (sp.loadBalancerIPs?.length ?? 0) > 0;

/** UsesLocalEndpoints: externalTrafficPolicy Local on an externally reachable port. */
export const externalPolicyLocal = (sp: ServicePortInfo): boolean =>
  sp.externalTrafficPolicy === 'Local' && externallyAccessible(sp);

/** Headless services (clusterIP None or empty) get no rules at all. */
export const isProxied = (sp: ServicePortInfo): boolean => sp.clusterIP !== '' && sp.clusterIP !== 'None';

/**
 * CategorizeEndpoints' four results for one service port on one node. The endpoint lists are
 * ranges of the IntList passed in (endpoint indexes into `sp.endpoints`), so compiling 100k
 * services fills a handful of arrays instead of making 200k; one object is reused across calls.
 */
export class EndpointCategories {
  /**
   * clusterEndpoints, `[clusterStart, clusterStart + clusterCount)`: the usable endpoints for
   * Cluster traffic policy. Internal traffic policy is always Cluster here (not modelled), so
   * kube-proxy's UsesClusterEndpoints holds and this list is always computed.
   */
  clusterStart = 0;
  clusterCount = 0;
  /**
   * localEndpoints, `[localStart, localStart + localCount)`: this node's usable endpoints for
   * Local traffic policy; empty (count 0) when the port does not use Local endpoints
   * (UsesLocalEndpoints: externalTrafficPolicy Local on a NodePort or external IP).
   */
  localStart = 0;
  localCount = 0;
  /**
   * hasAnyEndpoints: some endpoint anywhere in the cluster is usable (Ready, or Serving and
   * Terminating). With Cluster internal policy this is exactly `clusterCount > 0`, and it may be
   * true while localCount is 0.
   */
  hasAnyEndpoints = false;
  // allReachableEndpoints, the union of the two lists, is not built: it is the distinct members
  // of `[clusterStart, localStart + localCount)`. Every Ready local endpoint is already in the
  // cluster list, so the union adds only Serving+Terminating local ones when a node has no
  // Ready local endpoint (topology hints, kube-proxy's other reason to merge, are not modelled).
}

/**
 * Appends the clusterEndpoints then the localEndpoints of `sp` on `nodeName` to `out` and
 * describes them in `into`. "Usable" means Ready, falling back to Serving+Terminating when there
 * is none (independently for Cluster and Local), as kube-proxy's CategorizeEndpoints does.
 */
export function categorizeEndpoints(sp: ServicePortInfo, nodeName: string, out: IntList, into: EndpointCategories): void {
  const eps = sp.endpoints;
  into.clusterStart = out.length;
  into.clusterCount = pushUsable(eps, null, out);
  into.hasAnyEndpoints = into.clusterCount > 0;
  into.localStart = out.length;
  into.localCount = externalPolicyLocal(sp) ? pushUsable(eps, nodeName, out) : 0;
}

/** Appends the usable endpoints' indexes (only `nodeName`'s unless null); returns how many. */
function pushUsable(eps: readonly EndpointInfo[], nodeName: string | null, out: IntList): number {
  let n = 0;
  for (let i = 0; i < eps.length; i++) {
    const e = eps[i];
    if (e.ready && (nodeName === null || e.nodeName === nodeName)) (out.push(i), n++);
  }
  if (n > 0) return n;
  for (let i = 0; i < eps.length; i++) {
    const e = eps[i];
    if (e.serving && e.terminating && (nodeName === null || e.nodeName === nodeName)) (out.push(i), n++);
  }
  return n;
}
