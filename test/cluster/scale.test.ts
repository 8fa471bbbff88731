// Kubernetes' own scale (kubernetes.io/docs/setup/best-practices/cluster-large/): 5,000 nodes and
// 150,000 pods. Generated node addresses come from the node range, each node's pods from its own
// /24 of the pod range, all unique.

import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { MAX_NODES, MAX_PODS } from '../../src/cluster/model.js';
import { cidrContains, parseCidr, parseIPv4 } from '../../src/net/ipv4.js';
import { deployment, docs, nodePortService } from '../support/manifests.js';

describe('a generated cluster at Kubernetes\' tested limits', () => {
  const { cluster } = buildCluster(docs(deployment('big', MAX_PODS, { app: 'big' }), nodePortService('big', { app: 'big' })), { nodes: MAX_NODES });

  it('has 5,000 nodes with unique addresses in the node range, the first minikube\'s', () => {
    expect(cluster.nodes).toHaveLength(MAX_NODES);
    expect(cluster.nodes[0].ip).toBe('192.168.49.2');
    const range = parseCidr(cluster.ranges?.nodeCIDR ?? '');
    expect(new Set(cluster.nodes.map((n) => n.ip)).size).toBe(MAX_NODES);
    expect(cluster.nodes.every((n) => range !== undefined && cidrContains(range, parseIPv4(n.ip) as number))).toBe(true);
  });

  it('has 150,000 pods with unique addresses, each inside its node\'s own /24 of the pod range', () => {
    expect(cluster.pods).toHaveLength(MAX_PODS);
    expect(new Set(cluster.pods.map((p) => p.ip)).size).toBe(MAX_PODS);
    const range = parseCidr(cluster.ranges?.podCIDR ?? '');
    const subnetOf = new Map<string, string>();
    const outside: string[] = [];
    const shared: string[] = [];
    for (const pod of cluster.pods) {
      if (range === undefined || !cidrContains(range, parseIPv4(pod.ip) as number)) outside.push(pod.ip);
      const subnet = pod.ip.slice(0, pod.ip.lastIndexOf('.'));
      const owner = subnetOf.get(subnet);
      if (owner === undefined) subnetOf.set(subnet, pod.nodeName);
      else if (owner !== pod.nodeName) shared.push(subnet);
    }
    expect(outside).toEqual([]);
    expect(shared).toEqual([]);
    expect(subnetOf.size).toBe(MAX_NODES);
  });

  it('keeps the first 256 nodes\' pod subnets where a small cluster has them (10.244.N.0/24)', () => {
    const first = cluster.pods.find((p) => p.nodeName === cluster.nodes[255].name);
    expect(first?.ip.startsWith('10.244.255.')).toBe(true);
  });
});
