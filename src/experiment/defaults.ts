// Every default of the experiment file in one place; each modelling default names its source.

import { DEFAULT_COSTS } from '../proxy/types.js';

export const DEFAULTS = {
  // Shown in report.html: a title (else the name) and the question the experiment answers.
  title: '',
  question: '',
  description: '',
  seed: 1,
  replications: 1,
  durationS: 10,
  warmupS: 1,
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
  },
  // null: keep what the target Service's manifest says.
  service: {
    externalTrafficPolicy: null as string | null,
    sessionAffinity: null as string | null,
    sessionAffinityTimeoutS: null as number | null,
  },
  traffic: {
    clients: 5000,
    ratePerS: 5000,
    requestsPerConnection: 1,
    ingress: 'round-robin',
    // A typical client library's connect timeout; Linux's own SYN retries would give 127 s.
    connectTimeoutS: 3,
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
  },
  costs: { ...DEFAULT_COSTS },
};
