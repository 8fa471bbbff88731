// Clients inside the cluster: where they sit and what address they send from (ClientSources),
// and whole runs under internalTrafficPolicy Local with a node that has no local endpoint.

import { describe, expect, it } from 'vitest';
import { formatIPv4 } from '../../src/net/ipv4.js';
import { OUTCOMES } from '../../src/metrics/outcome.js';
import { RandomStreams } from '../../src/engine/random.js';
import type { ProxyMode } from '../../src/proxy/types.js';
import type { SimConfig } from '../../src/sim/config.js';
import { Network } from '../../src/sim/network.js';
import { simulate } from '../../src/sim/simulate.js';
import { CLIENT_PODS_PER_NODE, ClientSources } from '../../src/sim/sources.js';
import { Clients } from '../../src/traffic/clients.js';
import type { ClientDestination, TrafficSource } from '../../src/traffic/sources.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

// Constant one-way delays, so every hop can be checked exactly.
const NET = { clientToNodeMs: 0.2, nodeToNodeMs: 0.1, nodeToNodeCrossZoneMs: 0.5, nodeToPodMs: 0.01 };

function sources(source: TrafficSource, destination: ClientDestination, clients: number, sourceNodes: string[] = []) {
  const cluster = tinyCluster([2, 1, 0]);
  const network = new Network(NET, cluster.nodes, new RandomStreams(1, 0));
  return new ClientSources({ source, sourceNodes, destination }, cluster, new Clients(clients, 1), network);
}

describe('ClientSources', () => {
  it('spreads pod clients over the source nodes in turn, from the top of each node\'s pod /24 down, clear of the pods there', () => {
    const s = sources('pod', 'cluster-ip', 7, ['node-1', 'node-3']);
    const rows = Array.from({ length: 7 }, (_, c) => `${s.clientNode(c)} ${formatIPv4(s.ip(c))}`);
    // tinyCluster puts node n's pods at 10.244.(n-1).2 upwards; node-3 has none, so its /24 is the third of 10.244.0.0/16.
    expect(rows).toEqual(['0 10.244.0.254', '2 10.244.2.254', '0 10.244.0.253', '2 10.244.2.253', '0 10.244.0.252', '2 10.244.2.252', '0 10.244.0.251']);
  });

  it(`shares ${CLIENT_PODS_PER_NODE} client pods per node among more clients, as processes of one pod would`, () => {
    const s = sources('pod', 'cluster-ip', 3 * CLIENT_PODS_PER_NODE + 3);
    expect(s.ip(3 * CLIENT_PODS_PER_NODE)).toBe(s.ip(0));
    expect(new Set(Array.from({ length: 3 * CLIENT_PODS_PER_NODE }, (_, c) => s.ip(c))).size).toBe(3 * CLIENT_PODS_PER_NODE);
  });

  it('sends a host client from its node\'s InternalIP, or from 127.0.0.1 when it calls 127.0.0.1', () => {
    expect(formatIPv4(sources('host', 'node-port', 3).ip(1))).toBe('192.168.49.3');
    expect(formatIPv4(sources('host', 'localhost-node-port', 3).ip(1))).toBe('127.0.0.1');
  });

  it('routes through the client\'s own node, or the next node in order for another node\'s address', () => {
    const own = sources('pod', 'node-port', 3);
    const other = sources('pod', 'node-port-other-node', 3);
    expect([0, 1, 2].map((c) => own.walkNode(c))).toEqual([0, 1, 2]);
    expect([0, 1, 2].map((c) => other.walkNode(c))).toEqual([1, 2, 0]);
  });

  it('puts no network hop between a host client and its own node, the veth for a pod, and a node hop for another node', () => {
    expect(sources('host', 'node-port', 3).hopNs(1, 1)).toBe(0);
    expect(sources('pod', 'node-port', 3).hopNs(1, 1)).toBe(10_000);
    expect(sources('host', 'node-port-other-node', 3).hopNs(1, 2)).toBe(100_000);
    expect(sources('pod', 'node-port-other-node', 3).hopNs(1, 2)).toBe(110_000);
  });
});

describe('internalTrafficPolicy Local, node-3 without an endpoint, clients on every node calling the ClusterIP', () => {
  const run = (mode: ProxyMode, source: TrafficSource) => {
    const c = tinyCluster([2, 1, 0]);
    const cluster = { ...c, services: c.services.map((s) => ({ ...s, internalTrafficPolicy: 'Local' as const })) };
    const base = simConfig(cluster, { durationS: 3, warmupS: 0, network: NET });
    const cfg: SimConfig = { ...base, proxy: { ...base.proxy, mode }, traffic: { ...base.traffic, clients: 300, ratePerS: 600, source, destination: 'cluster-ip' } };
    const byHome = [new Map<string, number>(), new Map<string, number>(), new Map<string, number>()];
    const m = simulate(cfg, {
      onRequestEnd: (r) => {
        const home = byHome[r.client % 3]; // clients are spread over the nodes in turn
        home.set(OUTCOMES[r.outcome], (home.get(OUTCOMES[r.outcome]) ?? 0) + 1);
      },
    }).metrics;
    return { m, byHome };
  };

  for (const mode of ['iptables', 'nftables'] as const) {
    for (const source of ['pod', 'host'] as const) {
      it(`${mode}, ${source} clients: every request from node-3 is dropped ("has no local endpoints"), every other one served`, () => {
        const { m, byHome } = run(mode, source);
        expect([...byHome[2].keys()]).toEqual(['dropped_no_local_endpoint']);
        expect([...byHome[0].keys()]).toEqual(['ok']);
        expect([...byHome[1].keys()]).toEqual(['ok']);
        expect(m.dropped_no_local_endpoint).toBeGreaterThan(0);
        // Served ones never leave their node: the pod is local.
        expect(m.cross_node_share).toBe(0);
        expect(m.client_ip_preserved_share).toBe(source === 'pod' ? 1 : 0);
      });
    }
  }

  it('ipvs: node-3\'s clients fall back to every endpoint (kubernetes#97081) and nothing fails', () => {
    const { m, byHome } = run('ipvs', 'pod');
    expect(m.ok).toBe(m.requests);
    expect(byHome[2].get('ok')).toBeGreaterThan(0);
    // Only node-3's requests cross to another node: a third of them, up to the sampling of clients.
    expect(m.cross_node_share).toBeGreaterThan(0.25);
    expect(m.cross_node_share).toBeLessThan(0.42);
  });
});

describe('127.0.0.1:nodePort from the node', () => {
  const run = (mode: ProxyMode, iptablesLocalhostNodePorts: boolean) => {
    const base = simConfig(tinyCluster([1, 1, 1]), { durationS: 1, warmupS: 0 });
    return simulate({
      ...base,
      proxy: { ...base.proxy, mode, iptablesLocalhostNodePorts },
      traffic: { ...base.traffic, clients: 30, ratePerS: 100, source: 'host', destination: 'localhost-node-port' },
    }).metrics;
  };

  it('is served, masqueraded, by iptables with --iptables-localhost-nodeports', () => {
    const m = run('iptables', true);
    expect(m.ok).toBe(m.requests);
    expect(m.client_ip_preserved_share).toBe(0);
  });

  it('is refused by iptables without the flag, and by nftables and IPVS whatever it says: the node\'s stack answers RST', () => {
    for (const [mode, flag] of [['iptables', false], ['nftables', true], ['ipvs', true]] as const) {
      const m = run(mode, flag);
      // Not kube-proxy's REJECT: the Service has endpoints, and no rule translated the packet.
      expect(m.refused_no_listener, mode).toBe(m.requests);
      expect(m.rejected_no_endpoints, mode).toBe(0);
    }
  });
});

describe('clients on a failed node', () => {
  // No server pod on the failed node, so the other clients' requests never wait on it.
  it('send nothing while it is down: no timeouts, and the others send their share of the rate (a thinned Poisson stream)', () => {
    const base = simConfig(tinyCluster([1, 0, 1]), { durationS: 4, warmupS: 0, network: NET });
    const ratePerS = 900;
    const cfg: SimConfig = {
      ...base,
      traffic: { ...base.traffic, clients: 300, ratePerS, source: 'pod', destination: 'cluster-ip' },
      events: [{ atS: 0, action: 'fail-node', node: 'node-2' }],
    };
    const fromHome = [0, 0, 0];
    const m = simulate(cfg, { onRequestEnd: (r) => fromHome[r.client % 3]++ }).metrics;
    expect(fromHome[1]).toBe(0);
    expect(m.timeout).toBe(0);
    // Two thirds of the clients remain: the requests sent are Poisson with mean 2/3 · rate · duration.
    const mean = (2 / 3) * ratePerS * 4;
    expect(Math.abs(m.requests - mean)).toBeLessThan(4 * Math.sqrt(mean));
  });
});
