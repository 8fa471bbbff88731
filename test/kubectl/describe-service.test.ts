import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { describeEndpointSlice, describeNode, describePod } from '../../src/kubectl/describe-objects.js';
import { describeService } from '../../src/kubectl/describe-service.js';
import { dumpObjects } from '../support/dumps.js';
import { deployment, docs, nodePortService } from '../support/manifests.js';
import { tutorialAsApplied } from './tutorial-as-applied.js';

const lines = (text: string) => text.trimEnd().split('\n');

describe('kubectl describe service', () => {
  // The tutorial's `kubectl describe service nginx-nodeport`, without its leading `# `.
  const tutorialDescribe = [
    'Name:                     nginx-nodeport',
    'Namespace:                default',
    'Labels:                   app=nginx',
    'Selector:                 app=nginx',
    'Type:                     NodePort',
    'IP Family Policy:         SingleStack',
    'IP Families:              IPv4',
    'IP:                       10.96.175.233',
    'IPs:                      10.96.175.233',
    'Port:                     http  80/TCP',
    'TargetPort:               80/TCP',
    'NodePort:                 http  30080/TCP',
    'Endpoints:                10.244.0.5:80,10.244.1.3:80,10.244.2.7:80',
    'Session Affinity:         None',
    'External Traffic Policy:  Cluster',
    'Events:                   <none>',
  ];

  it('prints every line of the tutorial output verbatim and in the same order', () => {
    const out = lines(describeService(tutorialAsApplied(), 'nginx-nodeport') as string);
    const positions = tutorialDescribe.map((l) => out.indexOf(l));
    expect(positions.every((p) => p >= 0), out.join('\n')).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('adds the lines real kubectl prints that the tutorial left out', () => {
    const out = lines(describeService(tutorialAsApplied(), 'nginx-nodeport') as string);
    expect(out).toContain('Annotations:              <none>');
    expect(out).toContain('Internal Traffic Policy:  Cluster');
    expect(out).toHaveLength(tutorialDescribe.length + 2);
  });

  it('leaves Endpoints empty when no endpoint is ready', () => {
    const cluster = buildCluster(docs(deployment('web', 3, { app: 'web' }), nodePortService('svc', { app: 'nginx' }))).cluster;
    expect(lines(describeService(cluster, 'svc') as string)).toContain('Endpoints:                ');
  });

  it('prints the internalTrafficPolicy the Service sets', () => {
    const service = { ...nodePortService('svc', { app: 'web' }), spec: { ...nodePortService('svc', { app: 'web' }).spec, internalTrafficPolicy: 'Local' } };
    const cluster = buildCluster(docs(deployment('web', 3, { app: 'web' }), service)).cluster;
    expect(lines(describeService(cluster, 'svc') as string)).toContain('Internal Traffic Policy:  Local');
  });

  it('returns undefined for a service that does not exist', () => {
    expect(describeService(tutorialAsApplied(), 'nope')).toBeUndefined();
  });
});

describe('describe pod, node and endpointslice of a dump', () => {
  const { cluster } = buildCluster(docs(...dumpObjects('openshift')));
  const line = (text: string, title: string) => text.split('\n').find((l) => l.startsWith(`${title}:`))?.slice(title.length + 1).trim();

  it('a pod shows its node with the node address, its IP and its controller, as in the dump', () => {
    const raw = (dumpObjects('openshift') as { kind: string; metadata: { name: string }; spec: { nodeName: string }; status: { podIP: string } }[]).find((o) => o.kind === 'Pod' && o.metadata.name.startsWith('web-'));
    const pod = cluster.pods.find((p) => p.name === raw?.metadata.name);
    const text = describePod(cluster, pod!);
    const node = cluster.nodes.find((n) => n.name === raw?.spec.nodeName);
    expect(line(text, 'Node')).toBe(`${node?.name}/${node?.ip}`);
    expect(line(text, 'IP')).toBe(raw?.status.podIP);
    expect(line(text, 'Controlled By')).toBe('ReplicaSet/web-7d4b9c8f6d');
  });

  it('a node lists the non-terminated pods the cluster puts on it, no Completed one', () => {
    const node = cluster.nodes[0];
    const text = describeNode(cluster, node);
    const onNode = cluster.pods.filter((p) => p.nodeName === node.name && p.phase !== 'Succeeded');
    expect(line(text, 'Non-terminated Pods')).toBe(`(${onNode.length} in total)`);
    expect(text).not.toContain('db-migrate');
    expect(line(text, 'Roles')).toBe('control-plane,master');
  });

  it('an endpointslice lists each endpoint with its address and node', () => {
    const slice = cluster.endpointSlices.find((s) => s.serviceName === 'web')!;
    const text = describeEndpointSlice(slice);
    expect(text.split('\n').filter((l) => l.includes('- Addresses:')).map((l) => l.split(/\s+/).at(-1))).toEqual(slice.endpoints.map((e) => e.ip));
  });
});
