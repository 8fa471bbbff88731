// CategorizeEndpoints against kube-proxy's own table (pkg/proxy/topology_test.go
// TestCategorizeEndpoints): the cases without node hints (PreferSameNode, not modelled), with
// ProxyTerminatingEndpoints on, as it is since GA.

import { describe, expect, it } from 'vitest';
import { EndpointCategories, categorizeEndpoints } from '../../src/proxy/categorize.js';
import { IntList } from '../../src/engine/typed-arrays.js';
import type { TrafficPolicy } from '../../src/cluster/model.js';
import { type EndpointSpec, servicePort } from './fixtures.js';

const NODE = 'this-node';
const local = (ip: string, e: Partial<EndpointSpec> = {}): EndpointSpec => ({ ip, node: NODE, ...e });
const remote = (ip: string, e: Partial<EndpointSpec> = {}): EndpointSpec => ({ ip, node: 'other-node', ...e });
const terminating = { ready: false, serving: true, terminating: true };

interface Case {
  name: string;
  policy: TrafficPolicy;
  nodePort: number;
  endpoints: EndpointSpec[];
  cluster: string[];
  /** null: the service does not use Local endpoints. */
  local: string[] | null;
  all: string[];
  hasAny: boolean;
  /** The node's topology.kubernetes.io/zone ('' when unlabelled). */
  zone?: string;
  /** internalTrafficPolicy (Cluster when absent). */
  internal?: TrafficPolicy;
}

const hinted = (ip: string, ...zoneHints: string[]): EndpointSpec => remote(ip, { zoneHints });
const fourZoneHinted = [hinted('10.1.2.3', 'zone-a'), hinted('10.1.2.4', 'zone-b'), hinted('10.1.2.5', 'zone-c'), hinted('10.1.2.6', 'zone-a')];
const all4 = ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.5:80', '10.1.2.6:80'];

const cases: Case[] = [
  { name: 'Cluster traffic policy, endpoints not Ready', policy: 'Cluster', nodePort: 0, endpoints: [remote('10.0.0.0', { ready: false }), remote('10.0.0.1', { ready: false })], cluster: [], local: null, all: [], hasAny: false },
  { name: 'Cluster traffic policy, some endpoints are Ready', policy: 'Cluster', nodePort: 0, endpoints: [remote('10.0.0.0', { ready: false }), remote('10.0.0.1')], cluster: ['10.0.0.1:80'], local: null, all: ['10.0.0.1:80'], hasAny: true },
  { name: 'Cluster traffic policy, all endpoints are terminating', policy: 'Cluster', nodePort: 0, endpoints: [local('10.0.0.0', terminating), remote('10.0.0.1', terminating)], cluster: ['10.0.0.0:80', '10.0.0.1:80'], local: null, all: ['10.0.0.0:80', '10.0.0.1:80'], hasAny: true },
  { name: 'eTP: Local, some endpoints local', policy: 'Local', nodePort: 8080, endpoints: [local('10.0.0.0'), remote('10.0.0.1')], cluster: ['10.0.0.0:80', '10.0.0.1:80'], local: ['10.0.0.0:80'], all: ['10.0.0.0:80', '10.0.0.1:80'], hasAny: true },
  { name: 'eTP: Local, all endpoints remote', policy: 'Local', nodePort: 8080, endpoints: [remote('10.0.0.0'), remote('10.0.0.1')], cluster: ['10.0.0.0:80', '10.0.0.1:80'], local: [], all: ['10.0.0.0:80', '10.0.0.1:80'], hasAny: true },
  {
    name: 'eTP: Local, with terminating endpoints',
    policy: 'Local',
    nodePort: 8080,
    endpoints: [remote('10.0.0.0'), local('10.0.0.1', { ready: false, serving: false }), local('10.0.0.2', terminating), remote('10.0.0.3', terminating)],
    cluster: ['10.0.0.0:80'],
    local: ['10.0.0.2:80'],
    all: ['10.0.0.0:80', '10.0.0.2:80'],
    hasAny: true,
  },
  { name: 'hints: normal endpoint filtering', zone: 'zone-a', policy: 'Cluster', nodePort: 0, endpoints: fourZoneHinted, cluster: ['10.1.2.3:80', '10.1.2.6:80'], local: null, all: ['10.1.2.3:80', '10.1.2.6:80'], hasAny: true },
  { name: 'hints: empty node labels, no filtering', zone: '', policy: 'Cluster', nodePort: 0, endpoints: fourZoneHinted, cluster: all4, local: null, all: all4, hasAny: true },
  { name: 'hints: node in a zone no endpoint is hinted for, no filtering', zone: 'zone-d', policy: 'Cluster', nodePort: 0, endpoints: fourZoneHinted, cluster: all4, local: null, all: all4, hasAny: true },
  {
    name: 'hints: unready endpoint',
    zone: 'zone-a',
    policy: 'Cluster',
    nodePort: 0,
    endpoints: [hinted('10.1.2.3', 'zone-a'), hinted('10.1.2.4', 'zone-b'), hinted('10.1.2.5', 'zone-c'), remote('10.1.2.6', { zoneHints: ['zone-a'], ready: false })],
    cluster: ['10.1.2.3:80'],
    local: null,
    all: ['10.1.2.3:80'],
    hasAny: true,
  },
  {
    name: 'hints: only unready endpoints in the same zone, no filtering',
    zone: 'zone-a',
    policy: 'Cluster',
    nodePort: 0,
    endpoints: [remote('10.1.2.3', { zoneHints: ['zone-a'], ready: false }), hinted('10.1.2.4', 'zone-b'), hinted('10.1.2.5', 'zone-c'), remote('10.1.2.6', { zoneHints: ['zone-a'], ready: false })],
    cluster: ['10.1.2.4:80', '10.1.2.5:80'],
    local: null,
    all: ['10.1.2.4:80', '10.1.2.5:80'],
    hasAny: true,
  },
  {
    name: 'hints: a ready endpoint missing hints, no filtering',
    zone: 'zone-a',
    policy: 'Cluster',
    nodePort: 0,
    endpoints: [hinted('10.1.2.3', 'zone-a'), hinted('10.1.2.4', 'zone-b'), remote('10.1.2.5'), hinted('10.1.2.6', 'zone-a')],
    cluster: all4,
    local: null,
    all: all4,
    hasAny: true,
  },
  {
    name: 'hints: multiple hints per endpoint, any endpoint with the zone included',
    zone: 'zone-c',
    policy: 'Cluster',
    nodePort: 0,
    endpoints: [hinted('10.1.2.3', 'zone-a', 'zone-c'), hinted('10.1.2.4', 'zone-b', 'zone-c'), hinted('10.1.2.5', 'zone-b', 'zone-d'), hinted('10.1.2.6', 'zone-c')],
    cluster: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
    local: null,
    all: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
    hasAny: true,
  },
  {
    name: 'hints: externalTrafficPolicy Local ignores topology for local endpoints',
    zone: 'zone-a',
    policy: 'Local',
    nodePort: 8080,
    endpoints: [local('10.0.0.0', { zoneHints: ['zone-b'] }), remote('10.0.0.1', { zoneHints: ['zone-a'] })],
    cluster: ['10.0.0.1:80'],
    local: ['10.0.0.0:80'],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
    hasAny: true,
  },
  { name: 'externalTrafficPolicy ignored if not externally accessible', policy: 'Local', nodePort: 0, endpoints: [remote('10.0.0.0'), local('10.0.0.1')], cluster: ['10.0.0.0:80', '10.0.0.1:80'], local: null, all: ['10.0.0.0:80', '10.0.0.1:80'], hasAny: true },
  { name: 'iTP: Local, eTP: Cluster, some endpoints local', internal: 'Local', policy: 'Cluster', nodePort: 8080, endpoints: [local('10.0.0.0'), remote('10.0.0.1')], cluster: ['10.0.0.0:80', '10.0.0.1:80'], local: ['10.0.0.0:80'], all: ['10.0.0.0:80', '10.0.0.1:80'], hasAny: true },
  { name: 'iTP: Local, eTP: Local, some endpoints local', internal: 'Local', policy: 'Local', nodePort: 8080, endpoints: [local('10.0.0.0'), remote('10.0.0.1')], cluster: ['10.0.0.0:80', '10.0.0.1:80'], local: ['10.0.0.0:80'], all: ['10.0.0.0:80', '10.0.0.1:80'], hasAny: true },
  { name: 'iTP: Local, eTP: Local, all endpoints remote', internal: 'Local', policy: 'Local', nodePort: 8080, endpoints: [remote('10.0.0.0'), remote('10.0.0.1')], cluster: ['10.0.0.0:80', '10.0.0.1:80'], local: [], all: ['10.0.0.0:80', '10.0.0.1:80'], hasAny: true },
  {
    name: 'iTP: Local, eTP: Local, all endpoints remote and terminating',
    internal: 'Local',
    policy: 'Local',
    nodePort: 8080,
    endpoints: [remote('10.0.0.0', terminating), remote('10.0.0.1', terminating)],
    cluster: ['10.0.0.0:80', '10.0.0.1:80'],
    local: [],
    all: ['10.0.0.0:80', '10.0.0.1:80'],
    hasAny: true,
  },
  // The pre-scan decides hasAnyEndpoints when the cluster list is not computed.
  { name: 'no cluster endpoints for iTP:Local internal-only service', internal: 'Local', policy: 'Cluster', nodePort: 0, endpoints: [remote('10.0.0.0'), local('10.0.0.1')], cluster: [], local: ['10.0.0.1:80'], all: ['10.0.0.1:80'], hasAny: true },
  { name: 'iTP:Local internal-only service, all endpoints remote: none local, yet some anywhere', internal: 'Local', policy: 'Cluster', nodePort: 0, endpoints: [remote('10.0.0.0'), remote('10.0.0.1')], cluster: [], local: [], all: [], hasAny: true },
];

describe('categorizeEndpoints', () => {
  it.each(cases)('$name', (c) => {
    const sp = servicePort({ nodePort: c.nodePort, policy: c.policy, endpoints: c.endpoints, ...(c.internal === undefined ? {} : { internalPolicy: c.internal }) });
    // Something already in the list: the results are ranges after it.
    const out = new IntList(1);
    out.push(-7);
    const cat = new EndpointCategories();
    categorizeEndpoints(sp, NODE, out, cat, c.zone);
    const keys = (start: number, count: number) => Array.from(out.data.subarray(start, start + count), (i) => sp.endpoints[i].key).sort();
    expect(keys(cat.clusterStart, cat.clusterCount)).toEqual(c.cluster);
    expect(keys(cat.localStart, cat.localCount)).toEqual(c.local ?? []);
    expect([...new Set(keys(cat.clusterStart, cat.localStart + cat.localCount - cat.clusterStart))].sort()).toEqual(c.all);
    expect(cat.hasAnyEndpoints).toBe(c.hasAny);
    expect(out.length).toBe(1 + cat.clusterCount + cat.localCount);
    expect(out.data[0]).toBe(-7);
  });

  it('keeps no state between calls when one categories object is reused', () => {
    const out = new IntList();
    const cat = new EndpointCategories();
    categorizeEndpoints(servicePort({ nodePort: 8080, policy: 'Local', endpoints: [local('10.0.0.0')] }), NODE, out, cat);
    categorizeEndpoints(servicePort({ nodePort: 8080, policy: 'Cluster', endpoints: [remote('10.0.0.5', { ready: false })] }), NODE, out, cat);
    expect([cat.clusterStart, cat.clusterCount, cat.localStart, cat.localCount, cat.hasAnyEndpoints]).toEqual([2, 0, 2, 0, false]);
  });
});
