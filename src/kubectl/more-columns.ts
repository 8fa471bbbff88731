// The columns of `get endpointslices` and `get deployments`, as kubectl's printers
// (pkg/printers/internalversion/printers.go: printEndpointSlice, printDeployment) write them.

import type { Cluster, Deployment, EndpointSlice } from '../cluster/model.js';
import { ageOf } from './age.js';
import type { Columns } from './get-tables.js';

/** formatDiscoveryPorts / formatDiscoveryEndpoints: at most three entries, then ` + N more...`. */
const MAX_SHOWN = 3;

function firstThree(items: readonly string[], empty: string): string {
  if (items.length === 0) return empty;
  const shown = items.slice(0, MAX_SHOWN).join(',');
  return items.length > MAX_SHOWN ? `${shown} + ${items.length - MAX_SHOWN} more...` : shown;
}

export const ENDPOINT_SLICE_COLUMNS: Columns<EndpointSlice> = {
  header: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
  wideHeader: [],
  cells: (slice, cluster, now) => [
    slice.addressType ?? 'IPv4',
    firstThree(slice.ports.map((p) => String(p.port)), '<unset>'),
    firstThree(slice.endpoints.map((e) => e.ip), '<unset>'),
    // A slice is as old as its service, give or take the controller's first sync.
    ageOf(cluster.services.find((s) => s.namespace === slice.namespace && s.name === slice.serviceName)?.createdAt, now),
  ],
  wideCells: () => [],
};

/** The deployment's pods: the ones generated for it. */
const podsOf = (cluster: Cluster, d: Deployment) => cluster.pods.filter((p) => p.namespace === d.namespace && p.owner === d.name);

export const DEPLOYMENT_COLUMNS: Columns<Deployment> = {
  header: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'],
  wideHeader: ['CONTAINERS', 'IMAGES', 'SELECTOR'],
  cells: (d, cluster) => {
    const pods = podsOf(cluster, d);
    const ready = pods.filter((p) => p.ready).length;
    return [`${ready}/${d.replicas}`, String(pods.length), String(ready), '<unknown>'];
  },
  // The model keeps no container image.
  wideCells: (d) => [d.containers.map((c) => c.name).join(','), '<unknown>', Object.keys(d.selector).sort().map((k) => `${k}=${d.selector[k]}`).join(',')],
};
