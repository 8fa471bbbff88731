// The objects a real cluster holds, each as Kubernetes treats it, and the apiserver's own
// validation words for what it would refuse.

import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { InputError } from '../../src/input/problems.js';
import { buildServicePorts } from '../../src/proxy/service-map.js';
import { docs, pod } from '../support/manifests.js';

const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected an InputError');
};

const svc = (name: string, spec: Record<string, unknown>, namespace = 'default') => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
const livePod = (name: string, status: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'x' } },
  spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }] }], ...spec },
  status,
});
const node = (name: string, ip: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }] } });

describe('services of every type', () => {
  it('an ExternalName service needs no ports, gets no cluster IP and no rules', () => {
    const { cluster } = buildCluster(docs(svc('db', { type: 'ExternalName', externalName: 'db.example.com' })));
    expect(cluster.services[0]).toMatchObject({ type: 'ExternalName', clusterIP: '', externalName: 'db.example.com' });
    expect(buildServicePorts(cluster)).toEqual([]);
  });

  it('a headless service keeps clusterIP None and gets no rules, as kube-proxy skips it', () => {
    const { cluster } = buildCluster(docs(svc('h', { clusterIP: 'None', selector: { app: 'x' }, ports: [{ port: 80 }] }), pod('p', { app: 'x' }, undefined, [{ containerPort: 80 }])));
    expect(cluster.services[0].clusterIP).toBe('None');
    expect(cluster.endpointSlices.some((s) => s.serviceName === 'h' && s.endpoints.length === 1)).toBe(true);
    expect(buildServicePorts(cluster)).toEqual([]);
  });

  it('a headless NodePort service is refused in the apiserver words', () => {
    expect(issuesOf(() => buildCluster(docs(svc('h', { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80 }] }))))).toContain(
      "test.yaml: Service default/h: spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
    );
  });

  it('a dual-stack service is programmed with its IPv4 address, whichever family comes first', () => {
    const spec = { clusterIP: 'fd00::1a', clusterIPs: ['fd00::1a', '10.96.5.5'], ipFamilies: ['IPv6', 'IPv4'], ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] };
    const { cluster } = buildCluster(docs(svc('ds', spec)));
    expect(buildServicePorts(cluster).map((sp) => sp.clusterIP)).toEqual(['10.96.5.5']);
  });

  it('IPv6 EndpointSlices are ignored by the IPv4 proxier, never a crash', () => {
    const slice = (family: 'IPv4' | 'IPv6', ip: string) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `s-${family.toLowerCase()}`, labels: { 'kubernetes.io/service-name': 's' } },
      addressType: family,
      ports: [{ name: '', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: [ip] }],
    });
    const { cluster } = buildCluster(docs(svc('s', { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] }), slice('IPv4', '10.244.0.9'), slice('IPv6', 'fd00:10:244::9')));
    expect(buildServicePorts(cluster)[0].endpoints.map((e) => e.key)).toEqual(['10.244.0.9:8080']);
  });
});

describe('v1 Endpoints', () => {
  const endpoints = (name: string, ips: string[], notReady: string[] = []) => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name },
    subsets: [{ addresses: ips.map((ip) => ({ ip })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports: [{ port: 5432, protocol: 'TCP' }] }],
  });

  it('a selector-less service gets its Endpoints mirrored into slices, ready and not-ready apart', () => {
    const { cluster } = buildCluster(docs(svc('pg', { ports: [{ port: 5432 }] }), endpoints('pg', ['10.0.5.1', '10.0.5.2'], ['10.0.5.3'])));
    const eps = buildServicePorts(cluster)[0].endpoints;
    expect(eps.map((e) => [e.key, e.ready])).toEqual([
      ['10.0.5.1:5432', true],
      ['10.0.5.2:5432', true],
      ['10.0.5.3:5432', false],
    ]);
  });

  it('a service with a selector keeps its controller-made slices: its Endpoints are not mirrored', () => {
    const { cluster } = buildCluster(docs(svc('web', { selector: { app: 'x' }, ports: [{ port: 80 }] }), endpoints('web', ['10.9.9.9']), pod('p', { app: 'x' }, undefined, [{ containerPort: 80 }])));
    expect(buildServicePorts(cluster)[0].endpoints.map((e) => e.ip)).not.toContain('10.9.9.9');
  });
});

describe('pods as a live cluster has them', () => {
  it('a Pending pod with no node or IP gets none invented and is no endpoint', () => {
    const { cluster } = buildCluster(docs(svc('s', { selector: { app: 'x' }, ports: [{ port: 80 }] }), livePod('pending', { phase: 'Pending' })), { nodes: 2 });
    expect(cluster.pods[0]).toMatchObject({ nodeName: '', ip: '', ready: false });
    expect(cluster.endpointSlices.flatMap((s) => s.endpoints)).toEqual([]);
  });

  it('a hostNetwork pod shares its node\'s IP, a Completed pod may reuse a running pod\'s, both accepted', () => {
    const input = docs(
      node('n1', '172.18.0.2'),
      livePod('proxy', { phase: 'Running', podIP: '172.18.0.2' }, { nodeName: 'n1', hostNetwork: true }),
      livePod('done', { phase: 'Succeeded', podIP: '10.244.0.5' }, { nodeName: 'n1' }),
      livePod('web', { phase: 'Running', podIP: '10.244.0.5' }, { nodeName: 'n1' }),
    );
    expect(buildCluster(input).cluster.pods.map((p) => p.ip)).toEqual(['172.18.0.2', '10.244.0.5', '10.244.0.5']);
  });

  it('two running pods with one IP are refused, naming both', () => {
    const input = docs(livePod('a', { phase: 'Running', podIP: '10.244.0.5' }), livePod('b', { phase: 'Running', podIP: '10.244.0.5' }));
    expect(issuesOf(() => buildCluster(input))).toContain('test.yaml: Pod default/b: status.podIP: Duplicate value: "10.244.0.5": also the IP of running Pod default/a');
  });

  it('two nodes with one InternalIP are refused', () => {
    expect(issuesOf(() => buildCluster(docs(node('n1', '10.0.0.1'), node('n2', '10.0.0.1'))))).toContain('Node n2: status.addresses: Duplicate value: "10.0.0.1": also the InternalIP of Node n1');
  });
});

describe('validation in the apiserver words', () => {
  it('names, label values and targetPort names, with a short escaped excerpt of the value', () => {
    const long = `${'x'.repeat(100)}\u0007`;
    const issues = issuesOf(() =>
      buildCluster(
        docs(
          { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name!!', labels: { app: 'a b' } }, spec: { containers: [{ name: 'c' }] } },
          svc('s', { selector: { app: long }, ports: [{ port: 80, targetPort: 'Not_A_Port' }] }),
        ),
      ),
    );
    expect(issues).toContain(
      "test.yaml: Pod default/Bad_Name!!: metadata.name: Invalid value: \"Bad_Name!!\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    );
    expect(issues.some((i) => i.startsWith('test.yaml: Pod default/Bad_Name!!: metadata.labels.app: Invalid value: "a b": a valid label must be an empty string'))).toBe(true);
    expect(issues).toContain('test.yaml: Service default/s: spec.ports[0].targetPort: Invalid value: "Not_A_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
    const quoted = issues.find((i) => i.includes('spec.selector.app')) as string;
    // At most 64 characters of the value, cut with an ellipsis; the control character never appears raw.
    expect(quoted).toContain(`Invalid value: "${'x'.repeat(64)}...": must be no more than 63 characters`);
    expect(issues.join('\n')).not.toMatch(/\u0007/);
  });

  it('a malformed cluster IP or pod IP', () => {
    const issues = issuesOf(() => buildCluster(docs(svc('s', { clusterIP: '10.96.0.300', ports: [{ port: 80 }] }), livePod('p', { phase: 'Running', podIP: 'ten' }))));
    expect(issues).toContain('test.yaml: Service default/s: spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    expect(issues).toContain('test.yaml: Pod default/p: status.podIP: Invalid value: "ten": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
  });
});

describe('address ranges', () => {
  it('the kubernetes Service without a clusterIP takes the first address of the range; others count from the second', () => {
    const { cluster } = buildCluster(docs(svc('a', { ports: [{ port: 80 }] }), svc('kubernetes', { ports: [{ port: 443 }] })), { serviceCidr: '10.233.0.0/18' });
    expect(cluster.services.map((s) => s.clusterIP)).toEqual(['10.233.0.2', '10.233.0.1']);
  });

  it('set ranges are used as given and reported as not inferred', () => {
    const { cluster } = buildCluster(docs(svc('a', { ports: [{ port: 80 }] })), { serviceCidr: '172.30.0.0/16', podCidr: '10.128.0.0/14', nodeCidr: '10.0.0.0/24', nodes: 2 });
    expect(cluster.ranges).toEqual({ serviceCIDR: '172.30.0.0/16', podCIDR: '10.128.0.0/14', nodeCIDR: '10.0.0.0/24', nodePortRange: '30000-32767', inferred: [] });
    expect(cluster.nodes.map((n) => n.ip)).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(cluster.services[0].clusterIP).toBe('172.30.0.2');
  });
});
