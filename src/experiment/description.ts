// The experiment file, described once: every key with its check, its default (modelling defaults
// name their source) and a line of documentation. The Experiment type, the validator, the
// defaults and the dotted paths that `--set` and `sweep` accept are all read off this table.
//
// Why a table of our own rather than zod or valibot: the messages are the product here ("got X,
// expected Y" at `sweep.proxy.mode[2]`, a did-you-mean, the YAML line), and with either library
// every check would still carry a hand-written message and the issues would be reshaped; neither
// lists the leaf paths a sweep may vary. zod 4 also adds ~8 MB and >100 ms to every start;
// valibot is light (~2 MB, ~15 ms) but would only replace the few combinators in checks.ts.

import { MAX_NODES } from '../cluster/model.js';
import { DEFAULT_CONNTRACK_MAX_PER_CORE, DEFAULT_CONNTRACK_MIN } from '../proxy/conntrack.js';
import { MAGLEV_TABLE_SIZES } from '../proxy/maglev.js';
import { DEFAULT_SYNC } from '../proxy/sync.js';
import { DEFAULT_COSTS, DEFAULT_EBPF, EBPF_ALGORITHMS, EBPF_NODEPORT_MODES, IPVS_SCHEDULERS, PROXY_MODES } from '../proxy/types.js';
import { type ClusterEvent, DEFAULT_CHANGE_TIMING, EVENT_ACTIONS } from '../sim/changes.js';
import { parseCidr } from '../net/ipv4.js';
import { DEFAULT_HEALTH_CHECK } from '../traffic/health-checks.js';
import { INGRESS_KINDS } from '../traffic/ingress.js';
import { DEFAULT_CLIENT_CIDRS } from '../traffic/client-addresses.js';
import { type FirewallSpec, parsePorts } from '../traffic/firewall.js';
import { CLIENT_DESTINATIONS, TRAFFIC_SOURCES } from '../traffic/sources.js';
import { RUN_METRIC_COLUMNS } from '../metrics/run-metrics.js';
import { bool, type Check, duration, int, isObject, matching, nullable, num, oneOf, oneOfNumbers, portRange, str, strList, withSchema } from './checks.js';
import { type InferFrom, leaf, required, section, whole } from './description-kit.js';
import { checkAssert, checkEventList, checkSweep } from './whole-checks.js';

export interface NodeSpec {
  readonly name: string;
  readonly zone?: string;
}

const nodesCheck: Check<number | readonly NodeSpec[]> = (v) => {
  if (typeof v === 'number') return int(1, MAX_NODES)(v);
  const spec = (n: unknown) => isObject(n) && typeof n.name === 'string' && (n.zone === undefined || typeof n.zone === 'string');
  if (Array.isArray(v) && v.length > 0 && v.length <= MAX_NODES && v.every(spec)) {
    return new Set(v.map((n) => n.name)).size === v.length ? null : 'node names that are all different';
  }
  return `a node count (1 to ${MAX_NODES}) or a list of {name, zone}`;
};

const nodes = withSchema(nodesCheck, {
  anyOf: [
    { type: 'integer', minimum: 1, maximum: MAX_NODES },
    {
      type: 'array',
      minItems: 1,
      maxItems: MAX_NODES,
      items: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' }, zone: { type: 'string' } } },
    },
  ],
});

const placement: Check<'spread' | 'packed' | readonly number[]> = withSchema(
  (v) =>
    v === 'spread' || v === 'packed' || (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0))
      ? null
      : 'spread, packed, or a list of pod counts per node',
  { anyOf: [{ enum: ['spread', 'packed'] }, { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } }] },
);

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** `namespace/name`, `name` (namespace default), either with `:portName` for one port of a multi-port service. */
const SERVICE_REF = /^([a-z0-9-.]+\/)?[a-z0-9-.]+(:[a-z0-9-]+)?$/;

const cidr: Check<string> = (v) => (typeof v === 'string' && parseCidr(v) !== undefined ? null : 'an IPv4 CIDR block such as 10.96.0.0/12');

const cidrList: Check<readonly string[]> = withSchema(
  (v) => (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && parseCidr(x) !== undefined) ? null : 'a non-empty list of IPv4 CIDR blocks such as [100.64.0.0/10]'),
  { type: 'array', minItems: 1, items: { type: 'string' } },
);

const firewallCheck: Check<FirewallSpec> = withSchema(
  (v) => {
    const expected = '{allow: [{cidr: 10.0.0.0/8, ports: "30000-32767"}, ...], nodes: [node names]} (nodes optional)';
    if (!isObject(v) || !Array.isArray(v.allow) || Object.keys(v).some((k) => k !== 'allow' && k !== 'nodes')) return expected;
    const ruleOk = (r: unknown) =>
      isObject(r) && typeof r.cidr === 'string' && parseCidr(r.cidr) !== undefined && typeof r.ports === 'string' && parsePorts(r.ports) !== undefined && Object.keys(r).length === 2;
    if (!v.allow.every(ruleOk)) return `${expected}; each rule a CIDR block and a port or port range`;
    if (v.nodes !== undefined && !(Array.isArray(v.nodes) && v.nodes.every((n) => typeof n === 'string'))) return `${expected}; nodes a list of names`;
    return null;
  },
  {
    type: 'object',
    required: ['allow'],
    additionalProperties: false,
    properties: {
      allow: {
        type: 'array',
        items: { type: 'object', required: ['cidr', 'ports'], additionalProperties: false, properties: { cidr: { type: 'string' }, ports: { type: 'string', pattern: '^\\d+(-\\d+)?$' } } },
      },
      nodes: { type: 'array', items: { type: 'string' } },
    },
  },
);

const metricList: Check<readonly string[]> = withSchema(
  (v) =>
    Array.isArray(v) && v.every((x) => typeof x === 'string' && (RUN_METRIC_COLUMNS as readonly string[]).includes(x)) ? null : 'a list of runs.csv metric columns, e.g. [latency_p99_ms, conntrack_peak]',
  { type: 'array', items: { enum: RUN_METRIC_COLUMNS } },
);

export const EXPERIMENT = {
  name: required(matching(NAME, 'a name of letters, digits, ".", "_" or "-" (it names the results folder)'), 'Names the experiment and its results folder.'),
  // Shown in report.html: a title (else the name) and the question the experiment answers.
  title: leaf(str, '', 'The report\'s title; the name when empty.'),
  question: leaf(str, '', 'The question the experiment answers, shown in the report.'),
  description: leaf(str, '', 'Free text shown in the report.'),
  seed: leaf(int(0, 2 ** 32 - 1), 1, 'Seeds every random stream, with the replication and the stream\'s name.'),
  replications: leaf(int(1, 10_000), 1, 'Independent runs per sweep point.'),
  durationS: leaf(num(0, true), 10, 'Measured simulated time, after the warm-up.'),
  warmupS: leaf(num(0), 1, 'Simulated time discarded first.'),
  timeseriesBucketS: leaf(num(0, true), 1, 'Width of the timeseries.csv buckets.'),
  cluster: section('The cluster: nodes, manifests, the target Service.', {
    nodes: leaf(nodes, 3, 'A node count, or the nodes by name and zone; ignored when the manifests list Nodes.'),
    manifests: leaf(strList, [], 'Kubernetes YAML files, relative to the experiment file.'),
    service: leaf(nullable(matching(SERVICE_REF, 'namespace/name of a Service, optionally :portName')), null, 'The target Service (namespace/name[:port]; no namespace: default); null: the only NodePort one.'),
    placement: leaf(placement, 'spread', 'Where generated pods go: spread, packed, or a count per node.'),
    backgroundServices: leaf(int(0, 1_000_000), 0, 'NodePort services that only lengthen the rule tables.'),
    backgroundEndpointsPerService: leaf(int(1, 1000), 10, 'Endpoints of each background service.'),
    // kube-apiserver --service-node-port-range default.
    nodePortRange: leaf(portRange, '30000-32767', 'The range nodePorts are allocated from.'),
    // null: read off the addresses the manifests carry, else the defaults in cluster/address-ranges.ts.
    serviceCIDR: leaf(nullable(cidr), null, 'kube-apiserver --service-cluster-ip-range; null: from the manifests, else 10.96.0.0/12.'),
    podCIDR: leaf(nullable(cidr), null, 'kube-controller-manager --cluster-cidr; null: from the manifests, else 10.244.0.0/16.'),
    nodeCIDR: leaf(nullable(cidr), null, 'The nodes\' network; null: from the manifests, else 192.168.0.0/16 from 192.168.49.2.'),
  }),
  proxy: section('kube-proxy on every node.', {
    mode: leaf(oneOf(PROXY_MODES), 'iptables', 'The data path kube-proxy programs.'),
    // ipvsadm's and kube-proxy's --ipvs-scheduler default.
    ipvsScheduler: leaf(oneOf(IPVS_SCHEDULERS), 'rr', 'The IPVS scheduler.'),
    // kube-proxy --iptables-min-sync-period default.
    minSyncPeriodS: leaf(num(0), 1, 'Least time from one rule sync\'s end to the next one\'s start, after a burst.'),
    // burstSyncs := 2 in every proxier's NewProxier up to 1.33; 1.34 dropped the burst (#131615): 1.
    syncBurst: leaf(int(1, 100), DEFAULT_SYNC.burstSyncs, 'Syncs kube-proxy may run back to back before minSyncPeriod applies.'),
    // kube-proxy --sync-period default: IPVS's periodic resync, iptables' stale-chain cleanup.
    syncPeriodS: leaf(num(0, true), DEFAULT_SYNC.syncPeriodNs / 1e9, 'Periodic resync (IPVS) and iptables-save cleanup interval.'),
    // An informer's watch event typically arrives tens of ms after the API write.
    watchDelayMs: leaf(num(0), 50, 'EndpointSlice update to the informer seeing it.'),
    // MinimizeIPTablesRestore (KEP-3453), on by default since 1.27, GA 1.28.
    iptablesPartialRestore: leaf(bool, true, 'Whether a sync rewrites only the changed chains.'),
    // kube-proxy --iptables-localhost-nodeports default (iptables mode only; it sets route_localnet).
    iptablesLocalhostNodePorts: leaf(bool, true, 'Whether iptables mode answers 127.0.0.1:nodePort (the -d 127.0.0.0/8 rules).'),
    // cilium-agent's defaults: --bpf-lb-algorithm=random, --bpf-lb-maglev-table-size=16381
    // (pkg/maglev DefaultTableSize), --bpf-lb-mode=snat.
    ebpf: section('Cilium\'s eBPF data path, read in mode ebpf only.', {
      algorithm: leaf(oneOf(EBPF_ALGORITHMS), DEFAULT_EBPF.algorithm, 'Backend selection: a random slot, or the Maglev table by the flow\'s hash.'),
      maglevTableSize: leaf(oneOfNumbers(MAGLEV_TABLE_SIZES), DEFAULT_EBPF.maglevTableSize, 'The Maglev table\'s size, one of Cilium\'s primes.'),
      nodePortMode: leaf(oneOf(EBPF_NODEPORT_MODES), DEFAULT_EBPF.nodePortMode, 'NodePort forwarding to a remote backend: snat, dsr or hybrid.'),
    }),
  }),
  conntrack: section('The kernel\'s connection tracking table.', {
    // null: as kube-proxy sets it, max(maxPerCore × nodes.cores, min) (proxy/conntrack.ts).
    maxEntries: leaf(nullable(int(1, 33_554_432)), null, 'nf_conntrack_max; null: kube-proxy\'s max(maxPerCore × nodes.cores, min).'),
    // kube-proxy --conntrack-max-per-core default (pkg/proxy/apis/config/v1alpha1/defaults.go).
    maxPerCore: leaf(int(0, 33_554_432), DEFAULT_CONNTRACK_MAX_PER_CORE, 'kube-proxy\'s conntrack.maxPerCore; 0 keeps the kernel\'s own maximum.'),
    // kube-proxy --conntrack-min default (the same defaults.go).
    min: leaf(int(1, 33_554_432), DEFAULT_CONNTRACK_MIN, 'kube-proxy\'s conntrack.min: the floor of the table size.'),
    // kube-proxy --conntrack-tcp-timeout-established default.
    establishedTimeoutS: leaf(num(0, true), 86_400, 'nf_conntrack_tcp_timeout_established.'),
    // The kernel's nf_conntrack_tcp_timeout_time_wait.
    timeWaitS: leaf(num(0), 120, 'How long a closed connection\'s entry stays in TIME_WAIT.'),
  }),
  // HAProxy's defaults: `inter 2s fall 3 rise 2` (traffic/health-checks.ts).
  healthCheck: section('The health-checked ingress\'s checks of each node.', {
    intervalS: leaf(num(0, true), DEFAULT_HEALTH_CHECK.intervalS, 'Time between two checks of a node.'),
    fall: leaf(int(1, 1000), DEFAULT_HEALTH_CHECK.fall, 'Failed checks in a row that take a node out.'),
    rise: leaf(int(1, 1000), DEFAULT_HEALTH_CHECK.rise, 'Passed checks in a row that bring it back.'),
  }),
  // Each default names its source in sim/changes.ts.
  lifecycle: section('How fast the cluster reacts to events.', {
    readyAfterS: leaf(num(0), DEFAULT_CHANGE_TIMING.readyAfterS, 'Container start plus one readiness probe period.'),
    restartAfterS: leaf(num(0), DEFAULT_CHANGE_TIMING.restartAfterS, 'The kubelet\'s first CrashLoopBackOff delay.'),
    nodeMonitorGraceS: leaf(num(0), DEFAULT_CHANGE_TIMING.nodeMonitorGraceS, 'Silence before a node is marked NotReady.'),
    terminationGracePeriodS: leaf(num(0), DEFAULT_CHANGE_TIMING.terminationGracePeriodS, 'A deleted pod\'s time from deletion to SIGKILL.'),
    preStopSleepS: leaf(num(0), DEFAULT_CHANGE_TIMING.preStopSleepS, 'A preStop sleep: deletion to SIGTERM, still accepting connections.'),
    drainS: leaf(num(0), DEFAULT_CHANGE_TIMING.drainS, 'The app\'s drain: SIGTERM to exit, serving only the connections it has.'),
  }),
  // null: keep what the target Service's manifest says.
  service: section('Overrides of the target Service\'s spec.', {
    externalTrafficPolicy: leaf(nullable(oneOf(['Cluster', 'Local'])), null, 'spec.externalTrafficPolicy.'),
    internalTrafficPolicy: leaf(nullable(oneOf(['Cluster', 'Local'])), null, 'spec.internalTrafficPolicy: Local sends ClusterIP traffic to the client node\'s endpoints only.'),
    sessionAffinity: leaf(nullable(oneOf(['None', 'ClientIP'])), null, 'spec.sessionAffinity.'),
    sessionAffinityTimeoutS: leaf(nullable(int(1, 86_400)), null, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds.'),
    trafficDistribution: leaf(nullable(oneOf(['PreferClose', 'PreferSameZone'])), null, 'spec.trafficDistribution: zone hints on every ready endpoint.'),
    topologyMode: leaf(nullable(oneOf(['Auto', 'Disabled'])), null, 'The service.kubernetes.io/topology-mode annotation: Auto shares endpoints by zone CPU.'),
  }),
  traffic: section('The clients and how they reach the nodes.', {
    clients: leaf(int(1, 10_000_000), 5000, 'Client hosts (source addresses).'),
    model: leaf(oneOf(['open', 'closed']), 'open', 'open: Poisson arrivals at ratePerS; closed: each client waits, then thinks.'),
    ratePerS: leaf(num(0, true), 5000, 'Arrival rate of the open model, all clients together.'),
    // Closed loop only: a user reading the page before the next click.
    thinkTimeMs: leaf(duration, { dist: 'exponential', meanMs: 1000 }, 'A closed-loop client\'s pause between reply and next request.'),
    requestsPerConnection: leaf(int(1), 1, 'Requests a connection carries (1 = no keep-alive).'),
    ingress: leaf(oneOf(INGRESS_KINDS), 'round-robin', 'How clients pick the node they send to.'),
    // Outside clients through a nodePort: the question the simulator was built for.
    source: leaf(oneOf(TRAFFIC_SOURCES), 'external', 'Where clients run: external hosts, pods, or host-network processes on the nodes.'),
    sourceNodes: leaf(strList, [], 'Nodes the pod or host clients run on, clients spread over them in turn; empty: every node.'),
    destination: leaf(oneOf(CLIENT_DESTINATIONS), 'node-port', 'What in-cluster clients call: their node\'s nodePort, the next node\'s, the ClusterIP, or 127.0.0.1:nodePort.'),
    // A typical client library's connect timeout; Linux's own SYN retries would give 127 s.
    connectTimeoutS: leaf(num(0, true), 3, 'A client gives up connecting after this long.'),
    // A typical HTTP client's read timeout.
    requestTimeoutS: leaf(num(0, true), 30, 'A client gives up on a reply after this long.'),
    // RFC 6598 shared address space (traffic/client-addresses.ts): the addresses runs always had.
    clientCIDRs: leaf(cidrList, DEFAULT_CLIENT_CIDRS, 'Blocks the clients\' addresses come from: client c takes block c mod k, host ⌊c/k⌋ from its first address.'),
    via: leaf(
      oneOf(['node-port', 'load-balancer']),
      'node-port',
      'node-port: clients call NodeIP:nodePort; load-balancer: the LoadBalancer address, forwarded to a node unchanged (a round-robin ingress then health-checks the nodes).',
    ),
  }),
  pods: section('The target\'s pods as servers.', {
    concurrency: leaf(int(1, 100_000), 4, 'Requests a pod serves at once.'),
    queueLimit: leaf(int(0), 1000, 'Requests that may wait at a pod; more are refused.'),
    // A small nginx answering a static page: ~2 ms, exponential (the M/M/c baseline).
    serviceTime: leaf(duration, { dist: 'exponential', meanMs: 2 }, 'Time a pod works on one request.'),
  }),
  // One-way latencies inside one data centre: client↔node across a LB hop, node↔node on the
  // same L2 segment, node↔pod over a veth pair.
  network: section('One-way network latencies.', {
    clientToNodeMs: leaf(duration, 0.2, 'Client to node.'),
    nodeToNodeMs: leaf(duration, 0.1, 'Node to node in one zone.'),
    nodeToNodeCrossZoneMs: leaf(duration, 0.5, 'Node to node across zones.'),
    nodeToPodMs: leaf(duration, 0.01, 'Node to a pod on it.'),
  }),
  nodes: section('Each node\'s packet processing.', {
    // A common general-purpose node size (4 vCPUs); it scales kube-proxy's conntrack table.
    cores: leaf(int(1, 1024), 4, 'CPUs of each node (kube-proxy sizes conntrack by them).'),
    // One core takes the NIC's softirq work unless RSS spreads it.
    softirqCores: leaf(int(1, 1024), 1, 'Cores that run the network softirq.'),
    // net.core.netdev_max_backlog default.
    backlogPackets: leaf(int(1, 10_000_000), 1000, 'Packets that may wait for the softirq cores.'),
    // null: no firewall, every port open (traffic/firewall.ts).
    firewall: leaf(nullable(firewallCheck), null, 'A security group or host firewall before kube-proxy: allowed source CIDRs per port; a port no rule lists is open.'),
  }),
  // Each default names its source in proxy/types.ts.
  costs: section('CPU cost of the data path\'s steps.', {
    iptablesRuleNs: leaf(num(0), DEFAULT_COSTS.iptablesRuleNs, 'Per iptables rule walked.'),
    ipvsLookupNs: leaf(num(0), DEFAULT_COSTS.ipvsLookupNs, 'Per IPVS lookup.'),
    nftablesLookupNs: leaf(num(0), DEFAULT_COSTS.nftablesLookupNs, 'Per nftables verdict-map lookup.'),
    ebpfLookupNs: leaf(num(0), DEFAULT_COSTS.ebpfLookupNs, 'Per eBPF service and backend map lookup.'),
    conntrackHitNs: leaf(num(0), DEFAULT_COSTS.conntrackHitNs, 'Per packet of a tracked connection.'),
    packetBaseNs: leaf(num(0), DEFAULT_COSTS.packetBaseNs, 'Per packet a node handles: receive, route, forward.'),
  }),
  sweep: whole<Readonly<Record<string, readonly unknown[]>>>(checkSweep, {}, 'Dotted paths to lists of values; runs the cross product.', {
    type: 'object',
    additionalProperties: { type: 'array', minItems: 1 },
  }),
  events: whole<readonly ClusterEvent[]>(checkEventList, [], 'Cluster changes at given times (see sim/changes.ts).', {
    type: 'array',
    items: { type: 'object', required: ['atS', 'action'], properties: { atS: { type: 'number', minimum: 0 }, action: { enum: EVENT_ACTIONS } } },
  }),
  assert: whole<readonly string[]>(checkAssert, [], 'Conditions on runs.csv metrics, e.g. "latency_p99_ms < 20".', {
    type: 'array',
    items: { type: 'string' },
  }),
  report: section('What report.html shows.', {
    metrics: leaf(metricList, [], 'runs.csv metrics its table shows besides ok_share and each outcome seen; empty: chosen by the swept keys.'),
  }),
};

export type Experiment = InferFrom<typeof EXPERIMENT>;
