import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { endpointsForServicePort, MAX_ENDPOINTS_PER_SLICE } from '../../src/cluster/endpoint-slices.js';
import { docs } from '../support/manifests.js';

const APPS = ['web', 'api', 'db'];

// Random but valid clusters: Deployments and standalone pods (some not Ready, some with a
// named port) behind NodePort services with selectors, explicit or automatic nodePorts.
const clusterInput = fc.record({
  nodes: fc.integer({ min: 1, max: 5 }),
  deployments: fc.array(fc.record({ app: fc.constantFrom(...APPS), replicas: fc.integer({ min: 0, max: 60 }), port: fc.constantFrom(80, 8080) }), { maxLength: 3 }),
  pods: fc.array(fc.record({ app: fc.constantFrom(...APPS), ready: fc.boolean(), port: fc.constantFrom(80, 8080) }), { maxLength: 8 }),
  services: fc.array(
    fc.record({ app: fc.constantFrom(...APPS), named: fc.boolean(), nodePort: fc.option(fc.integer({ min: 30000, max: 30040 }), { nil: undefined }) }),
    { maxLength: 6 },
  ),
});

type Input = typeof clusterInput extends fc.Arbitrary<infer T> ? T : never;

function manifests(input: Input) {
  const container = (port: number) => [{ name: 'app', ports: [{ containerPort: port, name: 'http' }] }];
  const objects: unknown[] = [];
  input.deployments.forEach((d, i) =>
    objects.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `d${i}` },
      spec: { replicas: d.replicas, selector: { matchLabels: { app: d.app } }, template: { metadata: { labels: { app: d.app, d: `d${i}` } }, spec: { containers: container(d.port) } } },
    }),
  );
  input.pods.forEach((p, i) =>
    objects.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p${i}`, labels: { app: p.app, standalone: 'yes' } },
      spec: { containers: container(p.port) },
      status: { phase: 'Running', conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
    }),
  );
  // Duplicate explicit nodePorts would be refused; keep the first of each.
  const taken = new Set<number>();
  input.services.forEach((s, i) => {
    const nodePort = s.nodePort !== undefined && !taken.has(s.nodePort) ? s.nodePort : undefined;
    if (nodePort !== undefined) taken.add(nodePort);
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `s${i}` },
      spec: { type: 'NodePort', selector: { app: s.app }, ports: [{ port: 80, targetPort: s.named ? 'http' : 80, ...(nodePort === undefined ? {} : { nodePort }) }] },
    });
  });
  return docs(...objects);
}

describe('properties of built clusters', () => {
  it('EndpointSlices hold exactly the selected pods, each once, with the pod readiness, resolved port and node', () => {
    fc.assert(
      fc.property(clusterInput, (input) => {
        // packed only where it fits the kubelet's 110 pods per node
        const total = input.pods.length + input.deployments.reduce((n, d) => n + d.replicas, 0);
        const placement = total <= 110 * input.nodes ? 'packed' : 'spread';
        const { cluster } = buildCluster(manifests(input), { nodes: input.nodes, placement });
        for (const service of cluster.services) {
          const selector = service.selector as Record<string, string>;
          const selected = cluster.pods.filter((p) => Object.entries(selector).every(([k, v]) => p.labels[k] === v));
          const endpoints = endpointsForServicePort(cluster, service, service.ports[0]);
          const byPod = new Map(endpoints.map((e) => [e.podName, e]));
          expect(byPod.size).toBe(endpoints.length);
          // A numeric targetPort reaches every selected pod; the named one all of them too, as every container names its port http.
          expect(new Set(byPod.keys())).toEqual(new Set(selected.map((p) => p.name)));
          for (const pod of selected) {
            const e = byPod.get(pod.name);
            expect(e?.ip).toBe(pod.ip);
            expect(e?.nodeName).toBe(pod.nodeName);
            expect(e?.ready).toBe(pod.ready);
            expect(e?.port).toBe(service.ports[0].targetPort === 'http' ? pod.containers[0].ports[0].containerPort : 80);
          }
        }
        for (const slice of cluster.endpointSlices) expect(slice.endpoints.length).toBeLessThanOrEqual(MAX_ENDPOINTS_PER_SLICE);
        expect(new Set(cluster.endpointSlices.map((s) => s.name)).size).toBe(cluster.endpointSlices.length);
      }),
      { numRuns: 150 },
    );
  });

  it('no two services share a nodePort, and every nodePort is in the range', () => {
    fc.assert(
      fc.property(clusterInput, (input) => {
        const { cluster } = buildCluster(manifests(input), { nodes: input.nodes });
        const ports = cluster.services.flatMap((s) => s.ports.map((p) => p.nodePort as number));
        expect(new Set(ports).size).toBe(ports.length);
        expect(ports.every((p) => p >= 30000 && p <= 32767)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('pod IPs are unique and inside their node /24', () => {
    fc.assert(
      fc.property(clusterInput, (input) => {
        const { cluster } = buildCluster(manifests(input), { nodes: input.nodes, placement: 'spread' });
        expect(new Set(cluster.pods.map((p) => p.ip)).size).toBe(cluster.pods.length);
        for (const pod of cluster.pods) {
          const node = cluster.nodes.findIndex((n) => n.name === pod.nodeName);
          expect(pod.ip.startsWith(`10.244.${node}.`)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('EndpointSlice controller details', () => {
  it('splits more than 100 endpoints into slices of at most 100', () => {
    const input = manifests({ nodes: 3, deployments: [{ app: 'web', replicas: 250, port: 80 }], pods: [], services: [{ app: 'web', named: false, nodePort: undefined }] });
    const { cluster } = buildCluster(input, { nodes: 3 });
    expect(cluster.endpointSlices.map((s) => s.endpoints.length)).toEqual([100, 100, 50]);
    expect(cluster.endpointSlices.every((s) => /^s0-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(s.name))).toBe(true);
  });

  it('puts pods that resolve a named port to different numbers into different slices', () => {
    const input = manifests({
      nodes: 1,
      deployments: [{ app: 'web', replicas: 2, port: 80 }, { app: 'web', replicas: 2, port: 8080 }],
      pods: [],
      services: [{ app: 'web', named: true, nodePort: undefined }],
    });
    const { cluster } = buildCluster(input);
    expect(cluster.endpointSlices.map((s) => [s.ports[0].port, s.endpoints.length])).toEqual([[80, 2], [8080, 2]]);
  });
});
