// Everything one simulated run needs, resolved: the cluster, the proxy, the load and the model
// parameters. The experiment layer builds it; the simulator only reads it.

import type { Cluster } from '../cluster/model.js';
import type { ServicePortInfo } from '../proxy/service-map.js';
import type { CostModel, EbpfConfig, IpvsScheduler, ProxyMode } from '../proxy/types.js';
import type { DurationSpec } from '../traffic/duration.js';
import type { SyncConfig } from '../proxy/sync.js';
import type { HealthCheckConfig } from '../traffic/health-checks.js';
import type { IngressKind } from '../traffic/ingress.js';
import type { FirewallSpec } from '../traffic/firewall.js';
import type { ClientDestination, TrafficSource } from '../traffic/sources.js';
import type { ChangeTiming, ClusterEvent } from './changes.js';

export interface SimConfig {
  readonly seed: number;
  readonly replication: number;
  /** Measured simulated time, after the warm-up. */
  readonly durationS: number;
  /** Simulated time discarded first. */
  readonly warmupS: number;
  readonly cluster: Cluster;
  /** `namespace/name` of the NodePort service the clients call. */
  readonly targetService: string;
  /** The target port's name (multi-port services); the first port with a nodePort when absent. */
  readonly targetPortName?: string;
  /** Extra service ports that only lengthen the rule tables. */
  readonly backgroundServicePorts: readonly ServicePortInfo[];
  readonly proxy: {
    readonly mode: ProxyMode;
    readonly ipvsScheduler: IpvsScheduler;
    /** Cilium's load-balancing options (eBPF mode). */
    readonly ebpf: EbpfConfig;
    readonly costs: CostModel;
    readonly sync: SyncConfig;
    /** EndpointSlice update → the node's kube-proxy informer sees it. */
    readonly watchDelayMs: number;
    /** --iptables-localhost-nodeports (true when absent). */
    readonly iptablesLocalhostNodePorts?: boolean;
  };
  readonly conntrack: {
    /** nf_conntrack_max, resolved (an explicit value, else kube-proxy's sizing by cores). */
    readonly maxEntries: number;
    /** kube-proxy sets nf_conntrack_tcp_timeout_established (default 24 h). */
    readonly establishedTimeoutS: number;
    /** The kernel keeps a closed connection's entry in TIME_WAIT (120 s). */
    readonly timeWaitS: number;
  };
  readonly healthCheck: HealthCheckConfig;
  readonly events: readonly ClusterEvent[];
  readonly changeTiming: ChangeTiming;
  /** Width of the timeseries.csv buckets. */
  readonly timeseriesBucketS: number;
  readonly traffic: {
    readonly clients: number;
    /** open: Poisson arrivals at `ratePerS`, all clients together; closed: each client waits for its reply, then thinks. */
    readonly model: 'open' | 'closed';
    readonly ratePerS: number;
    readonly thinkTimeMs: DurationSpec;
    /** Requests a connection carries before the client closes it (1 = no keep-alive). */
    readonly requestsPerConnection: number;
    readonly ingress: IngressKind;
    /** Where clients run (external when absent), on which nodes (all when empty), and what they call. */
    readonly source?: TrafficSource;
    readonly sourceNodes?: readonly string[];
    readonly destination?: ClientDestination;
    /** Linux gives up on a SYN after its retransmissions (1 s, then doubling) pass this. */
    readonly connectTimeoutS: number;
    /** The client gives up on a reply after this long (the server still does the work). */
    readonly requestTimeoutS: number;
    /** Blocks the clients' addresses are dealt from (traffic/client-addresses.ts); absent: 100.64.0.0/10. */
    readonly clientCIDRs?: readonly string[];
    /** Where clients send: NodeIP:nodePort, or the target's load-balancer IP (forwarded to a node unchanged). */
    readonly via?: 'node-port' | 'load-balancer';
  };
  readonly pods: { readonly concurrency: number; readonly queueLimit: number; readonly serviceTime: DurationSpec };
  readonly network: {
    readonly clientToNodeMs: DurationSpec;
    readonly nodeToNodeMs: DurationSpec;
    readonly nodeToNodeCrossZoneMs: DurationSpec;
    readonly nodeToPodMs: DurationSpec;
  };
  readonly nodes: {
    /** CPUs per node; kube-proxy sizes conntrack by them. */
    readonly cores: number;
    readonly softirqCores: number;
    /** net.core.netdev_max_backlog: packets that may wait for the softirq cores. */
    readonly backlogPackets: number;
    /** A firewall before kube-proxy (traffic/firewall.ts); absent or null: none. */
    readonly firewall?: FirewallSpec | null;
  };
}
