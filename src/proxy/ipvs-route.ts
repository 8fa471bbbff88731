// A node's IPVS kernel state linked to one table's real servers: the destination list brought
// in line with them (the sync that installed the table added and removed them), and what a
// connection through the table reads of it, in one array.

import type { EndpointInfo } from './service-map.js';
import { type CursorRule, reconcileDestinations } from './ipvs-destinations.js';
import type { IpvsVirtualServerState } from './ipvs-schedulers.js';

/** A virtual server a table has routed through: the node's kernel state, its destination list and each entry's endpoint index. */
export interface Routed {
  readonly state: IpvsVirtualServerState;
  readonly servers: string[];
  /** Real servers in the list (the length of `servers`, kept beside `route`). */
  readonly n: number;
  /**
   * In one array, as a connection reads them: per destination i in list order, its place in
   * `state.counts` at 2i and its endpoint index at 2i + 1; then per endpoint index e of the
   * service port, its place at 2n + e (-1: not a real server of this table's).
   */
  readonly route: number[];
}

/**
 * Brings `state`'s destination list in line with `real` (endpoint indexes into `eps`) on node
 * `nodeName`, and resolves each destination's place in `state.counts`. Plain loops: every node of
 * a large cluster does this once, and the garbage of an array per destination and a Map cost
 * more collections than the loops cost.
 */
export function routeThrough(state: IpvsVirtualServerState, nodeName: string, eps: readonly EndpointInfo[], real: Int32Array, rule: CursorRule): Routed {
  const keys = Array.from(real, (e) => eps[e].key);
  const next = reconcileDestinations(nodeName, state.list, state.cursor, keys, rule);
  state.list = next.list;
  state.cursor = next.cursor;
  const places = keys.map((k) => state.place(k));
  const endpointAt = new Array<number>(state.counts.length).fill(-1);
  for (let i = 0; i < real.length; i++) endpointAt[places[i]] = real[i];
  const route: number[] = [];
  for (const k of state.list) {
    const p = state.place(k);
    route.push(p, endpointAt[p]);
  }
  const ofEndpoint = route.length;
  for (let e = 0; e < eps.length; e++) route.push(-1);
  for (let i = 0; i < real.length; i++) route[ofEndpoint + real[i]] = places[i];
  return { state, servers: state.list, n: state.list.length, route };
}
