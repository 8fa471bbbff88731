// spec.loadBalancerSourceRanges and its annotation, decoded as the apiserver validates them
// (ValidateService: only a LoadBalancer may set them; each an IP range, trimmed).

import { describe, expect, it } from 'vitest';
import { decodeManifests } from '../../src/cluster/decode.js';
import { InputError } from '../../src/input/problems.js';
import { parseManifestText } from '../../src/io/read-manifests.js';

const decode = (text: string) => decodeManifests(parseManifestText('in.yaml', text));
const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected an InputError');
};
const service = (type: string, extra: string, annotations = '') => `apiVersion: v1
kind: Service
metadata:
  name: web${annotations}
spec:
  type: ${type}
  selector: {app: web}
  ports: [{port: 80}]
${extra}`;

describe('loadBalancerSourceRanges', () => {
  it('are kept trimmed on a LoadBalancer', () => {
    const [svc] = decode(service('LoadBalancer', '  loadBalancerSourceRanges: [" 203.0.113.0/25", 10.0.0.0/8]')).services;
    expect(svc.loadBalancerSourceRanges).toEqual(['203.0.113.0/25', '10.0.0.0/8']);
  });

  it('are refused on another type, and when one is not an IP range', () => {
    const [issue] = issuesOf(() => decode(service('NodePort', '  loadBalancerSourceRanges: [10.0.0.0/8]')));
    expect(issue).toMatch(/^in\.yaml(:\d+)?: Service default\/web: spec\.loadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'$/);
    expect(issuesOf(() => decode(service('LoadBalancer', '  loadBalancerSourceRanges: [office]')))[0]).toMatch(/spec\.loadBalancerSourceRanges\[0\]: Invalid value: "office": must be a list of IP ranges/);
  });

  it('in the annotation are checked on a LoadBalancer too', () => {
    const bad = service('LoadBalancer', '', '\n  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: "10.0.0.0/8,office"}');
    expect(issuesOf(() => decode(bad))[0]).toMatch(/metadata\.annotations\[service\.beta\.kubernetes\.io\/load-balancer-source-ranges\]: Invalid value: "10\.0\.0\.0\/8,office"/);
  });
});
