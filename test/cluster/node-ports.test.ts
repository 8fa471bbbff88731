import { describe, expect, it } from 'vitest';
import {
  assignNodePorts,
  NodePortAllocator,
  type NodePortRequest,
  parsePortRange,
  staticBandSize,
} from '../../src/cluster/node-ports.js';

const nodePortService = (nodePort?: number): NodePortRequest => ({
  type: 'NodePort',
  ports: [{ port: 80, ...(nodePort === undefined ? {} : { nodePort }) }],
  externalTrafficPolicy: 'Cluster',
});

const range = (text: string) => {
  const r = parsePortRange(text);
  if (r === undefined) throw new Error(text);
  return r;
};

describe('the static sub-band (KEP-3668)', () => {
  it('is 86 ports for the default range, as 2768/32 = 86', () => {
    expect(staticBandSize(2768)).toBe(86);
  });

  it('is at least 16, at most 128, and none for ranges of 16 or fewer ports', () => {
    expect(staticBandSize(100)).toBe(16);
    expect(staticBandSize(100_000)).toBe(128);
    expect(staticBandSize(16)).toBe(0);
  });

  it('is skipped by automatic ports while the upper band has room', () => {
    const { assignments, issues } = assignNodePorts(Array.from({ length: 2000 }, () => nodePortService()));
    expect(issues).toEqual([]);
    const ports = assignments.map((a) => a.nodePorts[0] as number);
    expect(Math.min(...ports)).toBeGreaterThanOrEqual(30086);
    expect(Math.max(...ports)).toBeLessThanOrEqual(32767);
    expect(new Set(ports).size).toBe(2000);
  });

  it('is used only once the upper band is full, and then the range is full', () => {
    const allocator = new NodePortAllocator(range('30000-30063'));
    const upper = Array.from({ length: 48 }, () => allocator.allocateNext() as number);
    expect(upper.every((p) => p >= 30016 && p <= 30063)).toBe(true);
    const lower = Array.from({ length: 16 }, () => allocator.allocateNext() as number);
    expect([...lower].sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => 30000 + i));
    expect(allocator.allocateNext()).toBeUndefined();
  });
});

describe('explicit nodePorts use the apiserver words', () => {
  it('refuses a port outside the range', () => {
    const { issues } = assignNodePorts([nodePortService(8888)]);
    expect(issues).toEqual([
      {
        service: 0,
        path: 'spec.ports[0].nodePort',
        message: 'Invalid value: 8888: provided port is not in the valid range. The range of valid ports is 30000-32767',
      },
    ]);
  });

  it('quotes a configured range in the out-of-range message', () => {
    const { issues } = assignNodePorts([nodePortService(30080)], { range: range('20000-20100') });
    expect(issues[0].message).toBe(
      'Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 20000-20100',
    );
  });

  it('refuses a port already allocated to another service', () => {
    const { issues } = assignNodePorts([nodePortService(30080), nodePortService(30080)]);
    expect(issues).toEqual([
      { service: 1, path: 'spec.ports[0].nodePort', message: 'Invalid value: 30080: provided port is already allocated' },
    ]);
  });

  it('reports a full range as the apiserver does for automatic allocation', () => {
    const { issues } = assignNodePorts([nodePortService(), nodePortService(), nodePortService()], {
      range: range('30000-30001'),
    });
    expect(issues.map((i) => [i.service, i.message])).toEqual([
      [2, 'Internal error occurred: failed to allocate a nodePort: range is full'],
    ]);
  });

  it('places explicit ports before automatic ones, so document order does not matter', () => {
    const tiny = range('30000-30001');
    const forward = assignNodePorts([nodePortService(), nodePortService(30000)], { range: tiny });
    const backward = assignNodePorts([nodePortService(30000), nodePortService()], { range: tiny });
    expect(forward.issues).toEqual([]);
    expect(backward.issues).toEqual([]);
    expect(forward.assignments.map((a) => a.nodePorts[0])).toEqual([30001, 30000]);
    expect(backward.assignments.map((a) => a.nodePorts[0])).toEqual([30000, 30001]);
  });
});

describe('automatic allocation', () => {
  it('is deterministic', () => {
    const services = Array.from({ length: 50 }, () => nodePortService());
    expect(assignNodePorts(services)).toEqual(assignNodePorts(services));
  });

  it('gives ClusterIP services no nodePort', () => {
    const { assignments } = assignNodePorts([{ type: 'ClusterIP', ports: [{ port: 80 }], externalTrafficPolicy: 'Cluster' }]);
    expect(assignments[0].nodePorts).toEqual([undefined]);
  });

  it('shares one nodePort between ports with the same port number (TCP and UDP)', () => {
    const { assignments } = assignNodePorts([
      { type: 'NodePort', ports: [{ port: 53 }, { port: 53 }], externalTrafficPolicy: 'Cluster' },
    ]);
    expect(assignments[0].nodePorts[0]).toBe(assignments[0].nodePorts[1]);
  });

  it('gives a LoadBalancer service with Local policy a health-check port, and NodePort only on request', () => {
    const lb: NodePortRequest = { type: 'LoadBalancer', ports: [{ port: 80 }], externalTrafficPolicy: 'Local' };
    const np: NodePortRequest = { type: 'NodePort', ports: [{ port: 80 }], externalTrafficPolicy: 'Local' };
    const plain = assignNodePorts([lb, np]);
    expect(plain.assignments[0].healthCheckNodePort).toBeGreaterThanOrEqual(30086);
    expect(plain.assignments[1].healthCheckNodePort).toBeUndefined();
    const asked = assignNodePorts([lb, np], { allocateHealthCheckForNodePortLocal: true });
    const used = asked.assignments.flatMap((a) => [...a.nodePorts, a.healthCheckNodePort]);
    expect(new Set(used).size).toBe(4);
  });
});
