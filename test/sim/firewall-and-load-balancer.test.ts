// Who reaches the Service through a node firewall (nodes.firewall) and through a LoadBalancer's
// address with loadBalancerSourceRanges (traffic.via load-balancer), checked request by request:
// the clients are dealt over two address blocks in turn (client c in block c mod 2), so which
// requests must fail is known from each request's client alone.

import { describe, expect, it } from 'vitest';
import type { Cluster, TrafficPolicy } from '../../src/cluster/model.js';
import { Outcome } from '../../src/metrics/outcome.js';
import { parseCidr } from '../../src/net/ipv4.js';
import { PROXY_MODES } from '../../src/proxy/types.js';
import type { SimConfig } from '../../src/sim/config.js';
import { simulate } from '../../src/sim/simulate.js';
import { CLIENT_IP_BASE, Clients } from '../../src/traffic/clients.js';
import { DEFAULT_CLIENT_CIDRS, clientAddress, clientBases, clientCapacityProblem } from '../../src/traffic/client-addresses.js';
import { SOURCE_RANGES_ANNOTATION, balancerSourceRanges } from '../../src/traffic/firewall.js';
import { buildServicePorts } from '../../src/proxy/service-map.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

const INSIDE = '10.30.0.0/16';
const OUTSIDE = '100.64.0.0/10';

/** Measured requests by outcome, split by the client's parity (its block). */
function tally(cfg: SimConfig): { even: Map<number, number>; odd: Map<number, number>; latencyNs: Map<number, Set<number>>; metrics: ReturnType<typeof simulate>['metrics'] } {
  const even = new Map<number, number>();
  const odd = new Map<number, number>();
  const latencyNs = new Map<number, Set<number>>();
  const { metrics } = simulate(cfg, {
    onRequestEnd: (r) => {
      if (!r.measured) return;
      const m = r.client % 2 === 0 ? even : odd;
      m.set(r.outcome, (m.get(r.outcome) ?? 0) + 1);
      if (!latencyNs.has(r.outcome)) latencyNs.set(r.outcome, new Set());
      latencyNs.get(r.outcome)?.add(r.endedAtNs - r.sentAtNs);
    },
  });
  return { even, odd, latencyNs, metrics };
}

const total = (m: Map<number, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe('a node firewall', () => {
  const base = simConfig(tinyCluster([1, 1, 1], 'Cluster'), { durationS: 4, warmupS: 0.5 });
  const withFirewall = (allow: { cidr: string; ports: string }[], nodes?: string[]): SimConfig => ({
    ...base,
    traffic: { ...base.traffic, clients: 200, ratePerS: 400, clientCIDRs: [INSIDE, OUTSIDE] },
    nodes: { ...base.nodes, firewall: { allow, ...(nodes === undefined ? {} : { nodes }) } },
  });

  it('lets the sources it allows reach the nodePort and drops every SYN of the others', () => {
    const { even, odd, metrics } = tally(withFirewall([{ cidr: '10.0.0.0/8', ports: '30000-32767' }]));
    expect(total(even)).toBeGreaterThan(0);
    expect(even.get(Outcome.Ok)).toBe(total(even));
    expect(odd.get(Outcome.BlockedByFirewall)).toBe(total(odd));
    expect(metrics.blocked_by_firewall).toBe(total(odd));
  });

  it('gives a blocked request exactly the connect timeout (3 s: its SYN and the retransmission at 1 s go unanswered)', () => {
    const { latencyNs } = tally(withFirewall([{ cidr: '10.0.0.0/8', ports: '30000-32767' }]));
    expect([...(latencyNs.get(Outcome.BlockedByFirewall) ?? [])]).toEqual([base.traffic.connectTimeoutS * 1e9]);
  });

  it('leaves open a port no rule lists, and nodes it does not guard', () => {
    const otherPort = tally(withFirewall([{ cidr: '10.0.0.0/8', ports: '22' }]));
    expect(otherPort.metrics.ok).toBe(otherPort.metrics.requests);
    // Guarding node-1 only: an outside client is blocked exactly when the balancer sent it there.
    let blocked = 0;
    let outsideOnNode1 = 0;
    const cfg = withFirewall([{ cidr: '10.0.0.0/8', ports: '30080' }], ['node-1']);
    simulate(cfg, {
      onRequestEnd: (r) => {
        if (!r.measured) return;
        if (r.outcome === Outcome.BlockedByFirewall) blocked++;
        if (r.client % 2 === 1 && r.ingressNode === 0) outsideOnNode1++;
      },
    });
    expect(blocked).toBeGreaterThan(0);
    expect(blocked).toBe(outsideOnNode1);
  });

  it('stands before outside clients only: pods calling a nodePort it closes to everyone are served', () => {
    const closed = withFirewall([{ cidr: '192.0.2.0/32', ports: '30000-32767' }]);
    const outside = tally(closed);
    expect(outside.metrics.blocked_by_firewall).toBe(outside.metrics.requests);
    const pods = tally({ ...closed, traffic: { ...closed.traffic, source: 'pod', destination: 'node-port' } });
    expect(pods.metrics.requests).toBeGreaterThan(0);
    expect(pods.metrics.ok).toBe(pods.metrics.requests);
  });
});

/** tinyCluster's service as a LoadBalancer at 192.0.2.100 open to `ranges`. */
function lbCluster(podsPerNode: readonly number[], policy: TrafficPolicy, ranges: string[]): Cluster {
  const c = tinyCluster(podsPerNode, policy);
  return {
    ...c,
    services: c.services.map((s) => ({ ...s, type: 'LoadBalancer' as const, loadBalancerIngress: [{ ip: '192.0.2.100' }], loadBalancerSourceRanges: ranges, healthCheckNodePort: 32_000 })),
  };
}

describe('a LoadBalancer address with loadBalancerSourceRanges', () => {
  for (const mode of PROXY_MODES) {
    it(`drops exactly the requests of clients outside the ranges (${mode})`, () => {
      const cfg = simConfig(lbCluster([1, 1, 1], 'Cluster', ['203.0.113.0/24']), { durationS: 4, warmupS: 0.5 });
      const { even, odd, latencyNs, metrics } = tally({
        ...cfg,
        proxy: { ...cfg.proxy, mode },
        traffic: { ...cfg.traffic, clients: 200, ratePerS: 400, via: 'load-balancer', clientCIDRs: ['203.0.113.0/24', '198.18.0.0/15'] },
      });
      expect(total(even)).toBeGreaterThan(0);
      expect(even.get(Outcome.Ok)).toBe(total(even));
      expect(odd.get(Outcome.DroppedSourceRange)).toBe(total(odd));
      expect(metrics.dropped_source_range).toBe(total(odd));
      // Dropped silently, like a firewall: the client gives up at its connect timeout.
      expect([...(latencyNs.get(Outcome.DroppedSourceRange) ?? [])]).toEqual([cfg.traffic.connectTimeoutS * 1e9]);
    });
  }

  it('lets every client through when the service has no ranges, and the nodePort ignores them', () => {
    const cfg = simConfig(lbCluster([1, 1, 1], 'Cluster', []), { durationS: 2, warmupS: 0.5 });
    const traffic = { ...cfg.traffic, clients: 200, ratePerS: 400, clientCIDRs: ['203.0.113.0/24', '198.18.0.0/15'] };
    const open = simulate({ ...cfg, traffic: { ...traffic, via: 'load-balancer' } }).metrics;
    expect(open.ok).toBe(open.requests);
    // "nodeports are not subject to loadBalancerSourceRanges" (proxier.go): the same clients at NodeIP:nodePort.
    const ranged = simConfig(lbCluster([1, 1, 1], 'Cluster', ['203.0.113.0/24']), { durationS: 2, warmupS: 0.5 });
    const viaNodePort = simulate({ ...ranged, traffic }).metrics;
    expect(viaNodePort.ok).toBe(viaNodePort.requests);
  });

  it("sends no request to a node without a local endpoint under Local: the balancer reads kube-proxy's healthz (503 there)", () => {
    const cfg = simConfig(lbCluster([1, 1, 0], 'Local', []), { durationS: 2, warmupS: 0.5 });
    const nodes = new Set<number>();
    const m = simulate({ ...cfg, traffic: { ...cfg.traffic, ratePerS: 400, via: 'load-balancer' } }, { onRequestEnd: (r) => r.measured && nodes.add(r.ingressNode) }).metrics;
    expect(m.ok).toBe(m.requests);
    expect([...nodes].sort()).toEqual([0, 1]);
    // The same cluster at NodeIP:nodePort behind a plain round-robin balancer loses node-3's share.
    const direct = simulate({ ...cfg, traffic: { ...cfg.traffic, ratePerS: 400 } }).metrics;
    expect(direct.dropped_no_local_endpoint).toBeGreaterThan(0);
  });
});

describe('the source-ranges annotation', () => {
  it('is applied by the cloud balancer, not kube-proxy: the outside half is dropped before any node, with no KUBE-FW chain', () => {
    const base = tinyCluster([1, 1, 1], 'Cluster');
    const cluster: Cluster = {
      ...base,
      services: base.services.map((s) => ({
        ...s,
        type: 'LoadBalancer' as const,
        loadBalancerIngress: [{ ip: '192.0.2.100' }],
        annotations: { [SOURCE_RANGES_ANNOTATION]: '203.0.113.0/24, 10.1.0.0/16' },
      })),
    };
    expect(buildServicePorts(cluster)[0].loadBalancerSourceRanges).toBeUndefined();
    const cfg = simConfig(cluster, { durationS: 3, warmupS: 0.5 });
    const { even, odd } = tally({ ...cfg, traffic: { ...cfg.traffic, clients: 200, ratePerS: 400, via: 'load-balancer', clientCIDRs: ['203.0.113.0/24', '198.18.0.0/15'] } });
    expect(even.get(Outcome.Ok)).toBe(total(even));
    expect(odd.get(Outcome.DroppedSourceRange)).toBe(total(odd));
    expect(total(odd)).toBeGreaterThan(0);
  });

  it('falls back to the spec field first and to allow-all last (GetLoadBalancerSourceRanges)', () => {
    expect(balancerSourceRanges(['10.0.0.0/8'], '203.0.113.0/24')).toEqual(['10.0.0.0/8']);
    expect(balancerSourceRanges(undefined, ' 203.0.113.0/24 ,10.1.0.0/16')).toEqual(['203.0.113.0/24', '10.1.0.0/16']);
    expect(balancerSourceRanges(undefined, undefined)).toBeNull();
    expect(balancerSourceRanges([], '0.0.0.0/0')).toBeNull();
  });
});

describe('client addresses', () => {
  it('are 100.64.0.1 + c under the default block, as before the key existed', () => {
    const bases = clientBases(DEFAULT_CLIENT_CIDRS.map((c) => parseCidr(c) ?? fail(c)));
    const clients = new Clients(10, 1);
    for (const c of [0, 1, 9]) {
      expect(clientAddress(bases, c)).toBe(CLIENT_IP_BASE + c);
      expect(clients.ip(c)).toBe(CLIENT_IP_BASE + c);
    }
  });

  it('are dealt over the blocks in turn, from each block\'s first host', () => {
    const cidrs = ['10.30.0.0/16', '203.0.113.0/24', '192.0.2.7/32'].map((c) => parseCidr(c) ?? fail(c));
    const clients = new Clients(7, 1, clientBases(cidrs));
    const ip = (c: number) => clients.ip(c);
    // 10.30.0.1, 203.0.113.1, 192.0.2.7, 10.30.0.2, 203.0.113.2, …
    expect([0, 1, 2, 3, 4].map(ip)).toEqual([0x0a1e0001, 0xcb007101, 0xc0000207, 0x0a1e0002, 0xcb007102]);
    // The /32 holds one client: a fourth would need a second address there.
    expect(clientCapacityProblem(cidrs, 3)).toBeNull();
    expect(clientCapacityProblem(cidrs, 6)).toMatch(/192\.0\.2\.7\/32 holds 1 client addresses/);
  });
});

function fail(what: string): never {
  throw new Error(`bad CIDR ${what}`);
}
