// The endpoint address lists kubectl prints: the ENDPOINTS column of `get endpoints` and the
// Endpoints line of `describe service`, both cut after three addresses.

import type { EndpointSlice } from '../cluster/model.js';

/** kubectl's truncation: at most three addresses, then ` + N more...`. */
const MAX_SHOWN = 3;

/**
 * ENDPOINTS of `get endpoints`, read from the v1 Endpoints object the controller mirrors:
 * ready addresses only, grouped by port set, addresses sorted as the controller sorts them.
 */
export function formatEndpointsColumn(slices: readonly EndpointSlice[]): string {
  const subsets = new Map<string, { ports: number[]; ips: Set<string> }>();
  for (const slice of slices) {
    const ready = slice.endpoints.filter((e) => e.ready);
    if (ready.length === 0) continue;
    const key = slice.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
    let subset = subsets.get(key);
    if (subset === undefined) {
      subset = { ports: slice.ports.map((p) => p.port), ips: new Set() };
      subsets.set(key, subset);
    }
    for (const e of ready) subset.ips.add(e.ip);
  }
  if (subsets.size === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets.values()) {
    const ips = [...subset.ips].sort();
    const ports = subset.ports.length === 0 ? [undefined] : subset.ports;
    for (const port of ports) {
      count += ips.length;
      for (const ip of ips) {
        if (list.length === MAX_SHOWN) break;
        list.push(port === undefined ? ip : joinHostPort(ip, port));
      }
    }
  }
  const shown = list.join(',');
  return count > MAX_SHOWN ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}

const joinHostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** describe's Endpoints line (formatEndpointSlices): ready endpoints of the named port, in slice order. */
export function formatDescribeEndpoints(slices: readonly EndpointSlice[], portName: string): string {
  if (slices.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const slice of slices) {
    const ready = slice.endpoints.filter((e) => e.ready);
    if (slice.ports.length === 0) {
      // Headless services may have no ports; so may a placeholder slice.
      for (const e of ready) {
        count++;
        if (list.length < MAX_SHOWN) list.push(e.ip);
      }
      continue;
    }
    for (const port of slice.ports) {
      if (port.name !== portName) continue;
      for (const e of ready) {
        count++;
        if (list.length < MAX_SHOWN) list.push(joinHostPort(e.ip, port.port));
      }
    }
  }
  const shown = list.join(',');
  return count > MAX_SHOWN ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}
