// Zone hints against the EndpointSlice controller's own tests (k8s.io/endpointslice/topologycache
// topologycache_test.go TestAddHints, TestSetNodes; trafficdist preferCloseHeuristic) and its
// documented safeguards; and what kube-proxy does with them in a run.

import { describe, expect, it } from 'vitest';
import type { Cluster, Node } from '../../src/cluster/model.js';
import { cpuRatiosByZone, getAllocations, hintsMode, zoneHints } from '../../src/cluster/topology-hints.js';
import { simulate } from '../../src/sim/simulate.js';
import { simConfig } from '../sim/sim-config.js';
import { tinyCluster } from '../sim/tiny-cluster.js';

const node = (name: string, zone: string, allocatableCpuMilli = 1000, extra: Partial<Node> = {}): Node => ({ name, ip: '192.0.2.1', zone, ready: true, allocatableCpuMilli, ...extra });
const ep = (nodeName: string, ready = true) => ({ nodeName, ready });

describe('the controller’s zone shares (SetNodes)', () => {
  it('shares by allocatable CPU of ready, non-control-plane nodes', () => {
    const ratios = cpuRatiosByZone([node('a1', 'zone-a', 1000), node('a2', 'zone-a', 1000), node('b1', 'zone-b', 2000), node('cp', 'zone-c', 8000, { roles: ['control-plane'] }), node('down', 'zone-c', 8000, { ready: false })]);
    expect(ratios).toEqual(new Map([['zone-a', 0.5], ['zone-b', 0.5]]));
  });

  it('gives up on a node without a zone, and with one zone only', () => {
    expect(typeof cpuRatiosByZone([node('a', 'zone-a'), node('x', '')])).toBe('string');
    expect(typeof cpuRatiosByZone([node('a', 'zone-a'), node('a2', 'zone-a')])).toBe('string');
  });
});

describe('getAllocations safeguards', () => {
  it('wants at least as many endpoints as zones', () => {
    expect(getAllocations(new Map([['zone-a', 0.3], ['zone-b', 0.4], ['zone-c', 0.3]]), 2)).toMatch(/insufficient number of endpoints/);
  });

  it('gives up when the minimums (desired / 1.2, rounded up) exceed the endpoints', () => {
    // zone-a: 0.2 desired → minimum 1; zone-b: 1.8 → minimum 2; 3 > 2.
    expect(getAllocations(new Map([['zone-a', 0.1], ['zone-b', 0.9]]), 2)).toMatch(/overload threshold/);
  });
});

describe('Auto hints (AddHints)', () => {
  it('matches TestAddHints "slices to create and update within 3 zone threshold"', () => {
    const nodes = [node('a', 'zone-a', 350), node('b', 'zone-b', 350), node('c', 'zone-c', 300)];
    // The test's endpoints in its order: slices to create, then slices to update.
    const zones = ['a', 'b', 'c', 'c', 'a', 'a', 'a', 'b', 'c', 'a'];
    const result = zoneHints('Auto', zones.map((z) => ep(z)), nodes);
    expect(result.kind).toBe('hints');
    if (result.kind !== 'hints') return;
    // The first zone-a endpoint is re-hinted for zone-b; every other keeps its own zone.
    expect(result.forZone).toEqual(['zone-b', 'zone-b', 'zone-c', 'zone-c', 'zone-a', 'zone-a', 'zone-a', 'zone-b', 'zone-c', 'zone-a']);
    const count = (z: string) => result.forZone.filter((x) => x === z).length;
    expect([count('zone-a'), count('zone-b'), count('zone-c')]).toEqual([4, 3, 3]);
  });

  it('matches "2 ready, 1 unready … zone ratios only require 2": only ready endpoints get hints', () => {
    const nodes = [node('a', 'zone-a', 450), node('b', 'zone-b', 550)];
    const result = zoneHints('Auto', [ep('a'), ep('b'), ep('b', false)], nodes);
    expect(result).toEqual({ kind: 'hints', forZone: ['zone-a', 'zone-b', undefined] });
  });

  it('writes none with fewer endpoints than zones ("2 endpoints, zone ratios require 3")', () => {
    const nodes = [node('a', 'zone-a', 300), node('b', 'zone-b', 400), node('c', 'zone-c', 300)];
    expect(zoneHints('Auto', [ep('a'), ep('b')], nodes).kind).toBe('none');
  });
});

describe('PreferClose hints and which mode applies', () => {
  it('hints every ready endpoint for its own zone, with no share or safeguard', () => {
    const nodes = [node('a', 'zone-a'), node('b', 'zone-b', 9000)];
    expect(zoneHints('PreferClose', [ep('a'), ep('a'), ep('b', false)], nodes)).toEqual({ kind: 'hints', forZone: ['zone-a', 'zone-a', undefined] });
  });

  it('lets the topology-mode annotation win over trafficDistribution', () => {
    expect(hintsMode({ annotations: { 'service.kubernetes.io/topology-mode': 'Auto' }, trafficDistribution: 'PreferClose' })).toBe('Auto');
    expect(hintsMode({ annotations: { 'service.kubernetes.io/topology-aware-hints': 'auto' } })).toBe('Auto');
    expect(hintsMode({ annotations: { 'service.kubernetes.io/topology-mode': 'Disabled' }, trafficDistribution: 'PreferClose' })).toBe('PreferClose');
    expect(hintsMode({ annotations: {} })).toBeNull();
  });
});

describe('topology-aware routing in a run', () => {
  const zoned = (annotations: Record<string, string>): Cluster => {
    const c = tinyCluster([1, 1, 1], 'Cluster', ['zone-a', 'zone-b', 'zone-c']);
    return { ...c, services: c.services.map((s) => ({ ...s, annotations })) };
  };
  const run = (annotations: Record<string, string>) => simulate(simConfig(zoned(annotations), { durationS: 5 })).metrics;

  it('keeps every connection in its ingress node’s zone with topology-mode Auto (one pod per zone)', () => {
    const plain = run({});
    const auto = run({ 'service.kubernetes.io/topology-mode': 'Auto' });
    // Without hints a node forwards 2 of 3 connections to another node (another zone here).
    expect(Math.abs(plain.cross_node_share - 2 / 3)).toBeLessThan(0.02);
    expect(auto.cross_node_share).toBe(0);
    expect(auto.latency_mean_ms).toBeLessThan(plain.latency_mean_ms);
  });
});
