import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { getEndpoints, getNodes, getPods, getServices } from '../../src/kubectl/get-tables.js';
import { deployment, docs, nodePortService, scaledTutorial, tutorialDocs } from '../support/manifests.js';
import { tutorialAsApplied } from './tutorial-as-applied.js';

const lines = (text: string) => text.trimEnd().split('\n');
const columns = (line: string) => line.trim().split(/\s{2,}/);

describe('kubectl get pods', () => {
  it('prints the tutorial header and rows column for column (AGE is <unknown> without a clock)', () => {
    const out = lines(getPods(tutorialAsApplied()));
    expect(out[0]).toBe('NAME                                READY   STATUS    RESTARTS   AGE');
    expect(out[1]).toBe('nginx-deployment-7c79c4bf97-4xkbm   1/1     Running   0          <unknown>');
    expect(out).toHaveLength(4);
  });

  it('-o wide adds IP, NODE, NOMINATED NODE and READINESS GATES', () => {
    const out = lines(getPods(tutorialAsApplied(), { wide: true }));
    expect(columns(out[0])).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
    expect(columns(out[1]).slice(5)).toEqual(['10.244.0.5', 'node1', '<none>', '<none>']);
  });
});

describe('kubectl get svc', () => {
  it('prints the tutorial row: NodePort, its cluster IP, <none>, 80:30080/TCP', () => {
    const out = lines(getServices(tutorialAsApplied()));
    expect(columns(out[0])).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    expect(columns(out[1])).toEqual(['nginx-nodeport', 'NodePort', '10.96.175.233', '<none>', '80:30080/TCP', '<unknown>']);
  });

  it('pads every column but the last to its widest cell plus three spaces', () => {
    expect(getServices(buildCluster(tutorialDocs()).cluster)).toBe(
      'NAME             TYPE       CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE\n' +
        'nginx-nodeport   NodePort   10.96.0.2    <none>        80:30080/TCP   <unknown>\n',
    );
  });

  it('-o wide adds the selector', () => {
    expect(columns(lines(getServices(tutorialAsApplied(), { wide: true }))[1]).at(-1)).toBe('app=nginx');
  });

  it('shows an unallocated LoadBalancer address as <pending> and a ClusterIP port without nodePort', () => {
    const lb = nodePortService('lb', { app: 'x' }, { nodePort: 31000 }, { type: 'LoadBalancer' });
    const cip = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'cip' }, spec: { selector: { app: 'x' }, ports: [{ port: 443 }] } };
    // Rows come by name, as the apiserver lists them: cip before lb.
    const out = lines(getServices(buildCluster(docs(lb, cip)).cluster)).map(columns);
    expect(out[1].slice(0, 5)).toEqual(['cip', 'ClusterIP', '10.96.0.3', '<none>', '443/TCP']);
    expect(out[2].slice(0, 5)).toEqual(['lb', 'LoadBalancer', '10.96.0.2', '<pending>', '80:31000/TCP']);
  });
});

describe('kubectl get nodes', () => {
  it('prints the tutorial -o wide columns for Nodes given in the input', () => {
    const node = (name: string, ip: string, role?: string) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: role === undefined ? {} : { [`node-role.kubernetes.io/${role}`]: '' } },
      status: { addresses: [{ type: 'InternalIP', address: ip }], nodeInfo: { kubeletVersion: 'v1.29.0' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
    const out = lines(getNodes(buildCluster(docs(node('node1', '192.168.1.10', 'control-plane'), node('node2', '192.168.1.11'))).cluster, { wide: true }));
    expect(columns(out[0]).slice(0, 7)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP']);
    expect(columns(out[1]).slice(0, 7)).toEqual(['node1', 'Ready', 'control-plane', '<unknown>', 'v1.29.0', '192.168.1.10', '<none>']);
    expect(columns(out[2]).slice(0, 7)).toEqual(['node2', 'Ready', '<none>', '<unknown>', 'v1.29.0', '192.168.1.11', '<none>']);
  });
});

describe('kubectl get endpoints', () => {
  it('lists three ready endpoints of the tutorial service', () => {
    const out = lines(getEndpoints(tutorialAsApplied()));
    expect(columns(out[1])).toEqual(['nginx-nodeport', '10.244.0.5:80,10.244.1.3:80,10.244.2.7:80', '<unknown>']);
  });

  it('truncates after three addresses with + N more... once scaled to five', () => {
    const row = columns(lines(getEndpoints(buildCluster(scaledTutorial(5), { nodes: 3 }).cluster))[1]);
    expect(row[1]).toMatch(/^(\d+\.\d+\.\d+\.\d+:80,){2}\d+\.\d+\.\d+\.\d+:80 \+ 2 more\.\.\.$/);
  });

  it('shows <none> when the selector matches no pod', () => {
    const cluster = buildCluster(docs(deployment('web', 3, { app: 'web' }), nodePortService('nginx-nodeport', { app: 'nginx' }))).cluster;
    expect(columns(lines(getEndpoints(cluster))[1])).toEqual(['nginx-nodeport', '<none>', '<unknown>']);
  });
});
