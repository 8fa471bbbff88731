// Which endpoints a node balances over, as pkg/proxy/topology.go CategorizeEndpoints picks them:
// Ready ones (for Cluster policy only those hinted for the node's zone, when topologyModeFromHints
// allows), else Serving+Terminating ones, independently for Cluster and for Local policy. Every
// mode's compiler and the health check call this one function. Node hints (PreferSameNode) are
// not modelled.

import type { IntList } from '../engine/typed-arrays.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';

/** ServicePort.ExternallyAccessible: NodePort, ExternalIPs (LoadBalancer IPs are not modelled). */
export const externallyAccessible = (sp: ServicePortInfo): boolean => sp.nodePort > 0 || sp.externalIPs.length > 0 || (sp.loadBalancerIPs?.length ?? 0) > 0;

/** UsesLocalEndpoints: externalTrafficPolicy Local on an externally reachable port. */
export const externalPolicyLocal = (sp: ServicePortInfo): boolean =>
  sp.externalTrafficPolicy === 'Local' && externallyAccessible(sp);

/** InternalPolicyLocal: internalTrafficPolicy Local (ClusterIP traffic uses only this node's endpoints). */
export const internalPolicyLocal = (sp: ServicePortInfo): boolean => sp.internalTrafficPolicy === 'Local';

/**
 * UsesClusterEndpoints: internal policy Cluster, or any external destination (even under Local
 * external policy, the short-circuit rules for pods and the node itself need the cluster list).
 */
export const usesClusterEndpoints = (sp: ServicePortInfo): boolean => !internalPolicyLocal(sp) || externallyAccessible(sp);

/** UsesLocalEndpoints: internal policy Local, or external policy Local on an externally reachable port. */
export const usesLocalEndpoints = (sp: ServicePortInfo): boolean => internalPolicyLocal(sp) || externalPolicyLocal(sp);

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
   * Cluster traffic policy; empty when the port does not use them (UsesClusterEndpoints false:
   * internal policy Local on a port with no external destination).
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
   * Terminating). When the cluster list is computed this is exactly `clusterCount > 0`; otherwise
   * CategorizeEndpoints' pre-scan of every endpoint decides. It may be true while localCount is 0.
   */
  hasAnyEndpoints = false;
  /** topologyModeFromHints chose PreferSameZone: the cluster list holds only this zone's hinted endpoints. */
  sameZone = false;
  // allReachableEndpoints, the union of the two lists, is not built: it is the distinct members
  // of `[clusterStart, localStart + localCount)`. Without topology every Ready local endpoint is
  // already in the cluster list; the union adds Serving+Terminating local ones when a node has no
  // Ready local endpoint, and local ones hinted for another zone.
}

/**
 * topologyModeFromHints, for zones: every Ready endpoint has a zone hint and one of them is
 * hinted for `zone` (so an unlabelled node, zone '', never filters).
 */
export function usesZoneHints(eps: readonly EndpointInfo[], zone: string): boolean {
  let anyReady = false;
  let forZone = false;
  for (let i = 0; i < eps.length; i++) {
    const e = eps[i];
    if (!e.ready) continue;
    anyReady = true;
    const hints = e.zoneHints;
    if (hints === undefined || hints.length === 0) return false;
    if (zone !== '' && hints.includes(zone)) forZone = true;
  }
  return anyReady && forZone;
}

/**
 * Appends the clusterEndpoints then the localEndpoints of `sp` on `nodeName` (in zone `zone`) to
 * `out` and describes them in `into`. "Usable" means Ready — and for Cluster, hinted for the
 * zone when the hints allow it — falling back to Serving+Terminating when there is none
 * (independently for Cluster and Local), as kube-proxy's CategorizeEndpoints does.
 */
export function categorizeEndpoints(sp: ServicePortInfo, nodeName: string, out: IntList, into: EndpointCategories, zone = ''): void {
  const eps = sp.endpoints;
  const cluster = usesClusterEndpoints(sp);
  into.sameZone = cluster && usesZoneHints(eps, zone);
  into.clusterStart = out.length;
  into.clusterCount = cluster ? pushUsable(eps, null, out, into.sameZone ? zone : null) : 0;
  into.hasAnyEndpoints = into.clusterCount > 0;
  into.localStart = out.length;
  const local = usesLocalEndpoints(sp);
  into.localCount = local ? pushUsable(eps, nodeName, out) : 0;
  // "Pre-scan the endpoints ... to see if there are any usable endpoints anywhere in the cluster."
  if (!cluster && local) into.hasAnyEndpoints = eps.some((e) => e.ready || (e.serving && e.terminating));
}

/**
 * Appends the usable endpoints' indexes (only `nodeName`'s unless null; Ready ones only if hinted
 * for `zone` unless null); returns how many.
 */
function pushUsable(eps: readonly EndpointInfo[], nodeName: string | null, out: IntList, zone: string | null = null): number {
  let n = 0;
  for (let i = 0; i < eps.length; i++) {
    const e = eps[i];
    if (e.ready && (nodeName === null || e.nodeName === nodeName) && (zone === null || (e.zoneHints?.includes(zone) ?? false))) (out.push(i), n++);
  }
  if (n > 0) return n;
  for (let i = 0; i < eps.length; i++) {
    const e = eps[i];
    if (e.serving && e.terminating && (nodeName === null || e.nodeName === nodeName)) (out.push(i), n++);
  }
  return n;
}
