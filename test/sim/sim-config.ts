// A SimConfig with plain defaults for tests; each test overrides what it is about.

import type { Cluster } from '../../src/cluster/model.js';
import { DEFAULT_COSTS, DEFAULT_EBPF } from '../../src/proxy/types.js';
import { DEFAULT_SYNC } from '../../src/proxy/sync.js';
import { DEFAULT_CHANGE_TIMING } from '../../src/sim/changes.js';
import type { SimConfig } from '../../src/sim/config.js';
import { DEFAULT_HEALTH_CHECK } from '../../src/traffic/health-checks.js';

export function simConfig(cluster: Cluster, overrides: Partial<SimConfig> = {}): SimConfig {
  return {
    seed: 1,
    replication: 0,
    durationS: 10,
    warmupS: 1,
    cluster,
    targetService: 'default/web',
    backgroundServicePorts: [],
    proxy: { mode: 'iptables', ipvsScheduler: 'rr', ebpf: DEFAULT_EBPF, costs: DEFAULT_COSTS, sync: DEFAULT_SYNC, watchDelayMs: 50 },
    conntrack: { maxEntries: 131_072, establishedTimeoutS: 86_400, timeWaitS: 120 },
    healthCheck: DEFAULT_HEALTH_CHECK,
    events: [],
    changeTiming: DEFAULT_CHANGE_TIMING,
    timeseriesBucketS: 1,
    traffic: {
      clients: 5000,
      model: 'open',
      ratePerS: 5000,
      thinkTimeMs: { dist: 'exponential', meanMs: 1000 },
      requestsPerConnection: 1,
      ingress: 'round-robin',
      connectTimeoutS: 3,
      requestTimeoutS: 30,
    },
    pods: { concurrency: 4, queueLimit: 1000, serviceTime: { dist: 'exponential', meanMs: 2 } },
    network: { clientToNodeMs: 0.2, nodeToNodeMs: 0.1, nodeToNodeCrossZoneMs: 0.5, nodeToPodMs: 0.01 },
    nodes: { cores: 4, softirqCores: 1, backlogPackets: 1000 },
    ...overrides,
  };
}
