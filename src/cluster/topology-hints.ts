// EndpointSlice zone hints (hints.forZones) as the EndpointSlice controller writes them: for
// `service.kubernetes.io/topology-mode: Auto`, endpoints shared among zones in proportion to
// their nodes' allocatable CPU, with the controller's safeguards that drop every hint
// (k8s.io/endpointslice/topologycache: SetNodes, getAllocations, AddHints); for
// `trafficDistribution: PreferClose` (or PreferSameZone) each ready endpoint hinted for its own
// zone (k8s.io/endpointslice/trafficdist preferCloseHeuristic). Pure.

import type { Node, Service } from './model.js';

/** topologycache.go overloadThreshold: the most any endpoint should be overloaded. */
const OVERLOAD_THRESHOLD = 0.2;
/** Allocatable CPU assumed for a node that does not state it (the generated clusters' nodes). */
const DEFAULT_NODE_CPU_MILLI = 1000;

export type HintsMode = 'Auto' | 'PreferClose';

/**
 * Which hints the controller writes for the service. The annotation wins over
 * trafficDistribution (the reconciler uses trafficdist only when hintsEnabled is false); both
 * the annotation and its deprecated name accept "Auto" or "auto".
 */
export function hintsMode(service: Pick<Service, 'annotations' | 'trafficDistribution'>): HintsMode | null {
  const a = service.annotations ?? {};
  const value = a['service.kubernetes.io/topology-mode'] ?? a['service.kubernetes.io/topology-aware-hints'];
  if (value === 'Auto' || value === 'auto') return 'Auto';
  const td = service.trafficDistribution;
  return td === 'PreferClose' || td === 'PreferSameZone' ? 'PreferClose' : null;
}

export interface HintEndpoint {
  readonly nodeName: string;
  readonly ready: boolean;
}

/** Per endpoint the zone it is hinted for (undefined: no hint), or why the controller wrote none. */
export type HintsResult = { readonly kind: 'hints'; readonly forZone: readonly (string | undefined)[] } | { readonly kind: 'none'; readonly reason: string };

const none = (reason: string): HintsResult => ({ kind: 'none', reason });

export function zoneHints(mode: HintsMode, endpoints: readonly HintEndpoint[], nodes: readonly Node[]): HintsResult {
  const zoneOf = new Map(nodes.map((n) => [n.name, n.zone]));
  if (mode === 'PreferClose') {
    // Ready endpoints with a zone get their own zone; the others none.
    return { kind: 'hints', forZone: endpoints.map((e) => (e.ready && zoneOf.get(e.nodeName) ? zoneOf.get(e.nodeName) : undefined)) };
  }
  const ratios = cpuRatiosByZone(nodes);
  if (typeof ratios === 'string') return none(ratios);
  const ready = endpoints.filter((e) => e.ready).length;
  const allocations = getAllocations(ratios, ready);
  if (typeof allocations === 'string') return none(allocations);
  // Step 1: every ready endpoint hinted for its own zone.
  const forZone: (string | undefined)[] = [];
  const allocated = new Map<string, number>();
  for (const e of endpoints) {
    if (!e.ready) {
      forZone.push(undefined);
      continue;
    }
    const zone = zoneOf.get(e.nodeName);
    if (!zone) return none('an endpoint has no zone');
    forZone.push(zone);
    allocated.set(zone, (allocated.get(zone) ?? 0) + 1);
  }
  // Steps 2 and 3: zones above their share give endpoints to zones below it.
  const { giving, receiving } = givingAndReceiving(allocations, allocated);
  for (let i = 0; i < forZone.length; i++) {
    const from = forZone[i];
    if (from === undefined || giving.size === 0 || receiving.size === 0) continue;
    if ((giving.get(from) ?? 0) === 0) continue;
    const to = [...receiving.keys()].sort()[0];
    forZone[i] = to;
    decrement(giving, from);
    decrement(receiving, to);
  }
  return { kind: 'hints', forZone };
}

const decrement = (m: Map<string, number>, key: string): void => {
  const left = (m.get(key) ?? 0) - 1;
  if (left <= 0) m.delete(key);
  else m.set(key, left);
};

/**
 * SetNodes: each zone's share of the allocatable CPU of the ready nodes that are not control
 * planes; a reason instead when a node has no zone or no CPU, or fewer than 2 zones remain.
 */
export function cpuRatiosByZone(nodes: readonly Node[]): Map<string, number> | string {
  const cpu = new Map<string, number>();
  let total = 0;
  for (const n of nodes) {
    if (n.roles?.includes('control-plane') || n.roles?.includes('master') || !n.ready) continue;
    const milli = n.allocatableCpuMilli ?? DEFAULT_NODE_CPU_MILLI;
    if (!n.zone || milli <= 0) return 'insufficient node information (a node has no zone or allocatable CPU)';
    cpu.set(n.zone, (cpu.get(n.zone) ?? 0) + milli);
    total += milli;
  }
  if (cpu.size < 2) return 'nodes are ready in one zone only';
  return new Map([...cpu].sort(([a], [b]) => (a < b ? -1 : 1)).map(([zone, m]) => [zone, m / total]));
}

export interface Allocation {
  readonly minimum: number;
  readonly desired: number;
}

/**
 * getAllocations: a zone should get `ratio × endpoints` (desired), and at least that divided by
 * 1 + overloadThreshold, rounded up (minimum); no hints with fewer endpoints than zones or when
 * the minimums add up to more than there are endpoints.
 */
export function getAllocations(ratios: ReadonlyMap<string, number>, endpoints: number): Map<string, Allocation> | string {
  if (ratios.size > endpoints) return `insufficient number of endpoints (${endpoints} endpoints, ${ratios.size} zones)`;
  const out = new Map<string, Allocation>();
  let remaining = endpoints;
  for (const [zone, ratio] of ratios) {
    const desired = ratio * endpoints;
    const minimum = Math.ceil(desired * (1 / (1 + OVERLOAD_THRESHOLD)));
    out.set(zone, { minimum, desired: Math.max(desired, minimum) });
    remaining -= minimum;
    if (remaining < 0) return `unable to allocate minimum endpoints without exceeding the overload threshold (${endpoints} endpoints, ${ratios.size} zones)`;
  }
  return out;
}

/**
 * getGivingAndReceivingZones: whole endpoints moved from the zone with the most surplus to the
 * one with the most deficit, while both have at least half an endpoint and one has a whole one.
 * (Go breaks ties by map order; here the first zone by name wins.)
 */
export function givingAndReceiving(allocations: ReadonlyMap<string, Allocation>, allocated: ReadonlyMap<string, number>): { giving: Map<string, number>; receiving: Map<string, number> } {
  const giveDesired = new Map<string, number>();
  const receiveDesired = new Map<string, number>();
  for (const [zone, a] of allocations) {
    const have = allocated.get(zone) ?? 0;
    if (have > a.desired) giveDesired.set(zone, have - a.desired);
    else if (have < a.desired) receiveDesired.set(zone, a.desired - have);
  }
  const giving = new Map<string, number>();
  const receiving = new Map<string, number>();
  for (;;) {
    const [g, give] = most(giveDesired);
    const [r, receive] = most(receiveDesired);
    if (g === '' || r === '' || (give < 1 && receive < 1) || give < 0.5 || receive < 0.5) break;
    giving.set(g, (giving.get(g) ?? 0) + 1);
    giveDesired.set(g, give - 1);
    receiving.set(r, (receiving.get(r) ?? 0) + 1);
    receiveDesired.set(r, receive - 1);
  }
  return { giving, receiving };
}

function most(m: ReadonlyMap<string, number>): [string, number] {
  let zone = '';
  let n = 0;
  for (const [z, v] of [...m].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (v > n) {
      zone = z;
      n = v;
    }
  }
  return [zone, n];
}
