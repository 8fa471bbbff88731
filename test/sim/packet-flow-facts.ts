// The facts a packet-flow table states for one path, derived from the simulator: a short run of
// in-cluster (or external) clients through the run's own lifecycle, and the walking node's table
// asked for the same packet. Three nodes: node-1 and node-3 have no endpoint, node-2 has the only
// pod; in-cluster clients run on node-3 (so "another node" is node-1, the next in order), and the
// external ingress is `single`, which always picks node-1.

import type { Cluster, TrafficPolicy } from '../../src/cluster/model.js';
import { OUTCOMES } from '../../src/metrics/outcome.js';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { compileNodeTable } from '../../src/proxy/compile.js';
import { buildServicePorts } from '../../src/proxy/service-map.js';
import { DEFAULT_COSTS, type ProxyMode } from '../../src/proxy/types.js';
import { simulate } from '../../src/sim/simulate.js';
import { tableDestination } from '../../src/sim/sources.js';
import type { ClientDestination, TrafficSource } from '../../src/traffic/sources.js';
import { simConfig } from './sim-config.js';
import { tinyCluster } from './tiny-cluster.js';

export interface FlowFacts {
  /** Where the rules ran: the client's node, the other node, or the ingress node. */
  readonly rulesOn: string;
  /** The chains (or virtual server) walked, hashes and addresses cut short. */
  readonly chains: string;
  readonly snat: string;
  /** Whether the pod is on another node than the one whose rules ran. */
  readonly podElsewhere: string;
  /** Node-to-node hops from the client's node to the pod (in-cluster clients that reach it). */
  readonly nodeHops: string;
  readonly podSeesClient: string;
  readonly outcome: string;
}

/** node-2 holds the only endpoint; both traffic policies set to `policy`. */
export function flowCluster(policy: TrafficPolicy): Cluster {
  const c = tinyCluster([0, 1, 0], policy);
  return { ...c, services: c.services.map((s) => ({ ...s, internalTrafficPolicy: policy })) };
}

/** The source address the first node sees, written out independently of the simulator. */
function sourceAddress(source: TrafficSource, to: ClientDestination): string {
  if (source === 'external') return '100.64.0.1';
  if (source === 'pod') return '10.244.2.254'; // the top of node-3's /24 of 10.244.0.0/16
  return to === 'localhost-node-port' ? '127.0.0.1' : '192.168.49.4'; // node-3's InternalIP
}

/** Hashes, names and addresses cut from explain() lines so a table row stays readable. */
export function shortChains(lines: readonly string[]): string {
  return lines
    .map((l) =>
      l
        .replace(/KUBE-(SVC|SVL|EXT|SEP)-[A-Z2-7]{16}/g, 'KUBE-$1')
        .replace(/(service|local|external|endpoint)-[A-Z2-7]{8}-\S+/g, '$1-…')
        .replace(/ "[^"]*"/g, '')
        .replace(/(DNAT --to-destination|dnat to|->) \d+\.\d+\.\d+\.\d+:\d+/g, '$1 pod')
        .replace(/^TCP \d+\.\d+\.\d+\.\d+:\d+/, 'virtual server')
        // The IPVS table flags every Local fallback; whether the reply is lost depends on the client's node (the outcome column).
        .replace(' (reply lost)', ''),
    )
    .join(' → ');
}

const OUTCOME_WORDS: Readonly<Record<string, string>> = {
  ok: 'ok',
  dropped_no_local_endpoint: 'dropped',
  rejected_no_endpoints: 'refused',
  refused_no_listener: 'refused',
  timeout: 'timeout',
};

export function flowFacts(mode: ProxyMode, policy: TrafficPolicy, source: TrafficSource, to: ClientDestination): FlowFacts {
  const cluster = flowCluster(policy);
  const base = simConfig(cluster, { durationS: 1, warmupS: 0 });
  const cfg = {
    ...base,
    proxy: { ...base.proxy, mode },
    traffic: { ...base.traffic, clients: 20, ratePerS: 40, ingress: 'single' as const, source, sourceNodes: ['node-3'], destination: to },
  };
  const outcomes = new Set<string>();
  const walkedOn = new Set<number>();
  const m = simulate(cfg, { onRequestEnd: (r) => (outcomes.add(OUTCOMES[r.outcome]), walkedOn.add(r.ingressNode)) }).metrics;
  if (outcomes.size !== 1 || walkedOn.size !== 1) throw new Error(`one path expected, got outcomes ${[...outcomes]} on nodes ${[...walkedOn]}`);
  const node = [...walkedOn][0];
  const table = compileNodeTable(mode, cluster.nodes[node].name, buildServicePorts(cluster), DEFAULT_COSTS, { nodeIP: cluster.nodes[node].ip });
  table.connect(30080, ipv4ToUint32(sourceAddress(source, to)), 0, () => 0.5, 40_000, tableDestination(to));
  const reached = m.ok > 0;
  const outcome = [...outcomes][0];
  return {
    rulesOn: source === 'external' ? 'ingress node' : node === 2 ? "client's node" : 'other node',
    chains: shortChains(table.explain()),
    snat: reached ? (m.client_ip_preserved_share === 0 ? 'yes' : 'no') : '—',
    podElsewhere: reached ? (m.cross_node_share === 1 ? 'yes' : 'no') : '—',
    nodeHops: reached && source !== 'external' ? String((node === 2 ? 0 : 1) + (m.cross_node_share === 1 ? 1 : 0)) : '—',
    podSeesClient: reached ? (m.client_ip_preserved_share === 1 ? 'yes' : 'no') : '—',
    outcome: OUTCOME_WORDS[outcome] ?? outcome,
  };
}
