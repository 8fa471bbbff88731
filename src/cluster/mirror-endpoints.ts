// The EndpointSlice mirroring controller (pkg/controller/endpointslicemirroring): a v1 Endpoints
// object of a Service without a selector gets EndpointSlices with its addresses, one per subset
// and address family. A service with a selector is the EndpointSlice controller's, and its
// Endpoints are not mirrored; a service that already has slices in the input keeps those.

import type { DecodedEndpoints } from './decoded.js';
import type { EndpointSlice, Service } from './model.js';
import { sliceName } from './endpoint-slices.js';
import { ipFamilyOf } from './validate-names.js';

export function mirrorEndpoints(endpoints: readonly DecodedEndpoints[], services: readonly Service[], covered: ReadonlySet<string>, taken: Set<string>): EndpointSlice[] {
  const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const out: EndpointSlice[] = [];
  for (const ep of endpoints) {
    const key = `${ep.namespace}/${ep.name}`;
    const service = byKey.get(key);
    if (service === undefined || service.selector !== null || covered.has(key)) continue;
    let ordinal = 0;
    for (const subset of ep.subsets) {
      for (const family of ['IPv4', 'IPv6'] as const) {
        const members = subset.endpoints.filter((e) => ipFamilyOf(e.ip) === family);
        if (members.length === 0) continue;
        out.push({
          namespace: ep.namespace,
          name: sliceName(service, ordinal++, taken),
          serviceName: ep.name,
          addressType: family,
          ports: subset.ports,
          endpoints: members,
        });
      }
    }
  }
  return out;
}
