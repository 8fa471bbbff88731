// What a partial sync may start from: the shared part compiled for the previous snapshot, when the
// new one differs from it only in some service ports' endpoints (an EndpointSlice change: the
// Service itself, its name, ports, addresses and policies, are the same). kube-proxy's partial
// syncs (MinimizeIPTablesRestore, the nftables proxier's partial sync, IPVS per-service updates)
// rewrite only those services; the compilers likewise recompile only them.

import type { ServicePortInfo } from './service-map.js';

/** The previous snapshot's shared part of one mode, and the service-port indexes whose endpoints changed. */
export interface PreviousShared<T> {
  readonly shared: T;
  readonly servicePorts: readonly ServicePortInfo[];
  readonly changed: ReadonlySet<number>;
}

/** Two field values alike: equal scalars, or arrays of equal scalars. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((x, i) => x === b[i]);
}

/** Whether `a` and `b` are one service port but for its endpoints: every other field alike, whichever fields the type has. */
function sameButEndpoints(a: ServicePortInfo, b: ServicePortInfo): boolean {
  const ra = a as unknown as Record<string, unknown>;
  const rb = b as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (k !== 'endpoints' && !sameValue(ra[k], rb[k])) return false;
  return true;
}

/**
 * Whether `next` is `previous.servicePorts` with only the ports in `changed` replaced, and those
 * only in their endpoints: every other port must be the very same object.
 */
export function endpointsOnlyChanged(previous: PreviousShared<unknown>, next: readonly ServicePortInfo[]): boolean {
  const prev = previous.servicePorts;
  if (prev.length !== next.length) return false;
  for (let i = 0; i < next.length; i++) {
    if (previous.changed.has(i) ? !sameButEndpoints(prev[i], next[i]) : prev[i] !== next[i]) return false;
  }
  return true;
}
