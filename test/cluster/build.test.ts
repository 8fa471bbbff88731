import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { endpointsForServicePort } from '../../src/cluster/endpoint-slices.js';
import { InputError } from '../../src/input/problems.js';
import { deployment, docs, nodePortService, pod, scaledTutorial, tutorialDocs } from '../support/manifests.js';

const firstPortEndpoints = (cluster: ReturnType<typeof buildCluster>['cluster']) => {
  const service = cluster.services[0];
  return endpointsForServicePort(cluster, service, service.ports[0]);
};

const inputError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected an InputError');
};

describe('the tutorial cluster (nginx Deployment, NodePort 30080)', () => {
  it('runs on one node named minikube at 192.168.49.2, as `minikube ip` prints', () => {
    const { cluster } = buildCluster(tutorialDocs());
    expect(cluster.nodes.map((n) => [n.name, n.ip])).toEqual([['minikube', '192.168.49.2']]);
  });

  it('keeps the given nodePort 30080 for service port 80 and gives three ready endpoints on port 80', () => {
    const { cluster } = buildCluster(tutorialDocs(), { nodes: 3 });
    expect(cluster.services[0].ports[0]).toMatchObject({ port: 80, nodePort: 30080, protocol: 'TCP' });
    const endpoints = firstPortEndpoints(cluster);
    expect(endpoints).toHaveLength(3);
    expect(endpoints.every((e) => e.ready && e.port === 80)).toBe(true);
    expect(new Set(endpoints.map((e) => e.ip)).size).toBe(3);
  });

  it('gives five endpoints after scaling to five replicas', () => {
    const { cluster } = buildCluster(scaledTutorial(5), { nodes: 3 });
    expect(firstPortEndpoints(cluster)).toHaveLength(5);
  });

  it('generates pods named after the Deployment, in the node pod subnets 10.244.<node>.0/24', () => {
    const { cluster } = buildCluster(tutorialDocs(), { nodes: 3 });
    expect(cluster.pods.map((p) => p.name)).toEqual(['nginx-deployment-0', 'nginx-deployment-1', 'nginx-deployment-2']);
    expect(cluster.pods.map((p) => p.ip)).toEqual(['10.244.0.2', '10.244.1.2', '10.244.2.2']);
  });

  it('allocates the first free clusterIP of 10.96.0.0/12 after the network address and the kubernetes service', () => {
    expect(buildCluster(tutorialDocs()).cluster.services[0].clusterIP).toBe('10.96.0.2');
  });
});

describe('nodes', () => {
  it('are named node-1.. with IPs from .2 and zones round robin', () => {
    const { cluster } = buildCluster(tutorialDocs(), { nodes: 4 });
    expect(cluster.nodes.map((n) => `${n.name} ${n.ip} ${n.zone}`)).toEqual([
      'node-1 192.168.49.2 zone-a',
      'node-2 192.168.49.3 zone-b',
      'node-3 192.168.49.4 zone-c',
      'node-4 192.168.49.5 zone-a',
    ]);
  });

  it('take given names and zones', () => {
    const { cluster } = buildCluster(tutorialDocs(), { nodes: [{ name: 'a', zone: 'z1' }, { name: 'b' }] });
    expect(cluster.nodes.map((n) => `${n.name} ${n.zone}`)).toEqual(['a z1', 'b zone-b']);
  });

  it('come from the manifests when they list Nodes, with their InternalIP and zone label', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'w1', labels: { 'topology.kubernetes.io/zone': 'eu-1a' } },
      status: { addresses: [{ type: 'InternalIP', address: '10.0.0.7' }] },
    };
    const { cluster } = buildCluster(docs(node), { nodes: 5 });
    expect(cluster.nodes).toMatchObject([{ name: 'w1', ip: '10.0.0.7', zone: 'eu-1a', ready: true }]);
  });

  it('are the nodes the input pods name, when no Node is listed', () => {
    const { cluster } = buildCluster(docs(pod('p1', { app: 'x' }, 'kind-worker', []), pod('p2', { app: 'x' }, 'kind-worker2', [])));
    expect(cluster.nodes.map((n) => n.name)).toEqual(['kind-worker', 'kind-worker2']);
    expect(cluster.pods.map((p) => p.ip)).toEqual(['10.244.0.2', '10.244.1.2']);
  });

  it('refuse a pod on a node that does not exist', () => {
    expect(inputError(() => buildCluster(docs(pod('p1', { app: 'x' }, 'ghost', [])), { nodes: 2 }))).toMatch(
      /Pod default\/p1: spec\.nodeName: Invalid value: "ghost": no such node/,
    );
  });
});

describe('placement of generated pods', () => {
  const podsPerNode = (placement: 'spread' | 'packed' | number[], replicas: number) => {
    const { cluster } = buildCluster(docs(deployment('web', replicas, { app: 'web' })), { nodes: 3, placement });
    return cluster.nodes.map((n) => cluster.pods.filter((p) => p.nodeName === n.name).length);
  };

  it('spread deals pods round robin', () => {
    expect(podsPerNode('spread', 5)).toEqual([2, 2, 1]);
  });

  it('packed fills the first node up to the kubelet max of 110 pods', () => {
    expect(podsPerNode('packed', 5)).toEqual([5, 0, 0]);
    expect(podsPerNode('packed', 115)).toEqual([110, 5, 0]);
  });

  it('explicit counts put that many pods on each node', () => {
    expect(podsPerNode([1, 2, 3], 6)).toEqual([1, 2, 3]);
  });

  it('explicit counts that do not sum to the replicas are an input issue', () => {
    expect(inputError(() => podsPerNode([1, 1, 1], 5))).toMatch(/Deployment default\/web: placement: pod counts per node sum to 3, but the Deployment has 5 replicas/);
  });

  it('a Deployment whose pods are in the input gets no generated ones', () => {
    const { cluster, notes } = buildCluster(docs(deployment('web', 3, { app: 'web' }), pod('web-abc', { app: 'web' }, undefined, [])));
    expect(cluster.pods.map((p) => p.name)).toEqual(['web-abc']);
    expect(notes.some((n) => n.includes('Deployment default/web'))).toBe(true);
  });
});

describe('given values are taken as is', () => {
  it('keeps a pod IP, a clusterIP and skips them when generating others', () => {
    const svc = (name: string, clusterIP?: string) => ({ ...nodePortService(name, { app: 'x' }), spec: { ...nodePortService(name, { app: 'x' }).spec, ...(clusterIP ? { clusterIP } : {}) } });
    const { cluster } = buildCluster(docs(svc('a'), svc('b', '10.96.0.2')));
    expect(cluster.services.map((s) => s.clusterIP)).toEqual(['10.96.0.3', '10.96.0.2']);
  });

  it('keeps a clusterIP a control plane allocated outside the default range, and reads the range off it', () => {
    const s = nodePortService('a', { app: 'x' }, {}, { clusterIP: '172.20.0.10' });
    const { cluster } = buildCluster(docs(s, nodePortService('b', { app: 'x' })));
    expect(cluster.services.map((x) => x.clusterIP)).toEqual(['172.20.0.10', '172.20.0.11']);
    expect(cluster.ranges).toMatchObject({ serviceCIDR: '172.20.0.8/29', inferred: ['serviceCIDR'] });
  });

  it('refuses a clusterIP two services claim, with the apiserver words', () => {
    const a = nodePortService('a', { app: 'x' }, {}, { clusterIP: '10.96.0.50' });
    const b = nodePortService('b', { app: 'x' }, {}, { clusterIP: '10.96.0.50' });
    expect(inputError(() => buildCluster(docs(a, b)))).toContain('spec.clusterIPs: Invalid value: ["10.96.0.50"]: failed to allocate IP 10.96.0.50: provided IP is already allocated');
  });

  it('reports a nodePort used twice, naming the file and the second service', () => {
    const message = inputError(() => buildCluster(docs(nodePortService('a', { app: 'x' }, { nodePort: 30080 }), nodePortService('b', { app: 'x' }, { nodePort: 30080 }))));
    expect(message).toBe('test.yaml: Service default/b: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  });

  it('keeps an EndpointSlice from the input instead of deriving one', () => {
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'a-manual', labels: { 'kubernetes.io/service-name': 'a' } },
      addressType: 'IPv4',
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.1.2.3'], nodeName: 'minikube', conditions: { ready: false } }],
    };
    const { cluster } = buildCluster(docs(deployment('web', 2, { app: 'x' }), nodePortService('a', { app: 'x' }), slice));
    expect(cluster.endpointSlices.map((s) => s.name)).toEqual(['a-manual']);
    expect(firstPortEndpoints(cluster)).toEqual([
      { ip: '10.1.2.3', port: 8080, nodeName: 'minikube', ready: false, serving: false, terminating: false },
    ]);
  });

  it('derives no EndpointSlice for a service without selector', () => {
    const { cluster } = buildCluster(docs(deployment('web', 2, { app: 'x' }), nodePortService('a', undefined)));
    expect(cluster.endpointSlices).toEqual([]);
  });

  it('refuses two Services with the same name', () => {
    expect(inputError(() => buildCluster(docs(nodePortService('a', {}), nodePortService('a', {}))))).toMatch(/Service default\/a: metadata\.name: Duplicate value: "a"/);
  });
});

describe('scale', () => {
  // Its wall time is a figure of `npm run bench` (case build), not an assertion here.
  it('builds 100,000 services, each with its own cluster IP, and 20,000 distinct nodePorts inside the range', () => {
    const objects: unknown[] = [deployment('web', 50, { app: 'web' })];
    for (let i = 0; i < 100_000; i++) {
      const nodePort = i < 20_000;
      objects.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}` },
        spec: { type: nodePort ? 'NodePort' : 'ClusterIP', selector: { app: i % 10 === 0 ? 'web' : `none-${i}` }, ports: [{ port: 80 }] },
      });
    }
    const { cluster } = buildCluster(docs(...objects), { nodes: 10, nodePortRange: '20000-59999' });
    expect(cluster.services).toHaveLength(100_000);
    expect(new Set(cluster.services.map((s) => s.clusterIP)).size).toBe(100_000);
    const nodePorts = cluster.services.flatMap((s) => s.ports.map((p) => p.nodePort)).filter((p) => p !== undefined);
    expect(new Set(nodePorts).size).toBe(20_000);
    expect(nodePorts.every((p) => p >= 20_000 && p <= 59_999)).toBe(true);
    // Every tenth service selects the 50 web pods; the others select nothing.
    const endpoints = (i: number) => endpointsForServicePort(cluster, cluster.services[i], cluster.services[i].ports[0]).length;
    expect([endpoints(0), endpoints(1), endpoints(99_990), endpoints(99_999)]).toEqual([50, 0, 50, 0]);
  });
});
