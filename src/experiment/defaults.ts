// Every default of the experiment file in one place; each modelling default names its source.

import { DEFAULT_COSTS, DEFAULT_EBPF } from '../proxy/types.js';

export const DEFAULTS = {
  // Shown in report.html: a title (else the name) and the question the experiment answers.
  title: '',
  question: '',
  description: '',
  seed: 1,
  replications: 1,
  durationS: 10,
  warmupS: 1,
  timeseriesBucketS: 1,
  cluster: {
    nodes: 3,
    manifests: [] as string[],
    service: null as string | null,
    placement: 'spread',
    backgroundServices: 0,
    backgroundEndpointsPerService: 10,
    // kube-apiserver --service-node-port-range default.
    nodePortRange: '30000-32767',
  },
  proxy: {
    mode: 'iptables',
    // ipvsadm's and kube-proxy's --ipvs-scheduler default.
    ipvsScheduler: 'rr',
    // kube-proxy --iptables-min-sync-period default. (The periodic --sync-period resync rewrites
    // what is already there, so it changes nothing the simulator measures.)
    minSyncPeriodS: 1,
    // An informer's watch event typically arrives tens of ms after the API write.
    watchDelayMs: 50,
    // MinimizeIPTablesRestore (KEP-3453), on by default since 1.27, GA 1.28.
    iptablesPartialRestore: true,
    // cilium-agent's defaults: --bpf-lb-algorithm=random, --bpf-lb-maglev-table-size=16381
    // (pkg/maglev DefaultTableSize), --bpf-lb-mode=snat.
    ebpf: { ...DEFAULT_EBPF },
  },
  conntrack: {
    // kube-proxy --conntrack-min (the floor over maxPerCore 32768 × cores).
    maxEntries: 131_072,
    // kube-proxy --conntrack-tcp-timeout-established default.
    establishedTimeoutS: 86_400,
    // The kernel's nf_conntrack_tcp_timeout_time_wait.
    timeWaitS: 120,
  },
  // HAProxy's defaults: `inter 2s fall 3 rise 2`.
  healthCheck: { intervalS: 2, fall: 3, rise: 2 },
  lifecycle: {
    // Container start plus one readiness probe period.
    readyAfterS: 2,
    // The kubelet's first CrashLoopBackOff delay.
    restartAfterS: 10,
    // kube-controller-manager --node-monitor-grace-period (40 s; 50 s from 1.32).
    nodeMonitorGraceS: 40,
    // Pause between pods in a rolling restart.
    rolloutIntervalS: 5,
  },
  // null: keep what the target Service's manifest says.
  service: {
    externalTrafficPolicy: null as string | null,
    sessionAffinity: null as string | null,
    sessionAffinityTimeoutS: null as number | null,
  },
  traffic: {
    clients: 5000,
    model: 'open',
    ratePerS: 5000,
    // Closed loop only: a user reading the page before the next click.
    thinkTimeMs: { dist: 'exponential', meanMs: 1000 } as unknown,
    requestsPerConnection: 1,
    ingress: 'round-robin',
    // A typical client library's connect timeout; Linux's own SYN retries would give 127 s.
    connectTimeoutS: 3,
    // A typical HTTP client's read timeout.
    requestTimeoutS: 30,
  },
  pods: {
    concurrency: 4,
    queueLimit: 1000,
    // A small nginx answering a static page: ~2 ms, exponential (the M/M/c baseline).
    serviceTime: { dist: 'exponential', meanMs: 2 } as unknown,
  },
  // One-way latencies inside one data centre: client↔node across a LB hop, node↔node on the
  // same L2 segment, node↔pod over a veth pair.
  network: {
    clientToNodeMs: 0.2 as unknown,
    nodeToNodeMs: 0.1 as unknown,
    nodeToNodeCrossZoneMs: 0.5 as unknown,
    nodeToPodMs: 0.01 as unknown,
  },
  nodes: {
    // One core takes the NIC's softirq work unless RSS spreads it (DESIGN.md §3.1).
    softirqCores: 1,
    // net.core.netdev_max_backlog default.
    backlogPackets: 1000,
  },
  costs: { ...DEFAULT_COSTS },
};
