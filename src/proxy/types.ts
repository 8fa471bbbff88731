// What every proxy mode compiles to: a per-node table the simulator asks once per new connection.

import type { IpvsScheduler } from './ipvs-schedulers.js';
import type { NodeProxyState } from './node-state.js';
import type { ServicePortInfo } from './service-map.js';

/** kube-proxy's three data paths, and Cilium's eBPF kube-proxy replacement. */
export type ProxyMode = 'iptables' | 'ipvs' | 'nftables' | 'ebpf';
export const PROXY_MODES: readonly ProxyMode[] = ['iptables', 'ipvs', 'nftables', 'ebpf'];

// Defined beside the schedulers themselves, so that module needs nothing from this one.
export { IPVS_SCHEDULERS, type IpvsScheduler } from './ipvs-schedulers.js';

/** Cilium --bpf-lb-algorithm: a random backend slot, or the Maglev table indexed by the flow's hash. */
export type EbpfAlgorithm = 'random' | 'maglev';
export const EBPF_ALGORITHMS: readonly EbpfAlgorithm[] = ['random', 'maglev'];

/**
 * Cilium --bpf-lb-mode for NodePort traffic to a remote backend: SNAT to the node (the reply comes
 * back through it), DSR (the backend's node replies to the client itself), or hybrid (DSR for
 * TCP, SNAT for UDP).
 */
export type EbpfNodePortMode = 'snat' | 'dsr' | 'hybrid';
export const EBPF_NODEPORT_MODES: readonly EbpfNodePortMode[] = ['snat', 'dsr', 'hybrid'];

export interface EbpfConfig {
  readonly algorithm: EbpfAlgorithm;
  /** --bpf-lb-maglev-table-size, one of Cilium's primes (pkg/maglev). */
  readonly maglevTableSize: number;
  readonly nodePortMode: EbpfNodePortMode;
}

/** The cilium-agent defaults: --bpf-lb-algorithm=random, --bpf-lb-maglev-table-size=16381, --bpf-lb-mode=snat. */
export const DEFAULT_EBPF: EbpfConfig = { algorithm: 'random', maglevTableSize: 16381, nodePortMode: 'snat' };

/** Modelled CPU cost of the data path (each default's source is given beside it). */
export interface CostModel {
  readonly iptablesRuleNs: number;
  readonly ipvsLookupNs: number;
  readonly nftablesLookupNs: number;
  readonly ebpfLookupNs: number;
  readonly conntrackHitNs: number;
  readonly packetBaseNs: number;
}

export const DEFAULT_COSTS: CostModel = {
  // Derived from the nftables blog (2025-02-28) first-packet p50 at 10k vs 30k services
  // (~20 ns/rule) and Tigera's CPU at 10k services (~13 ns/rule).
  iptablesRuleNs: 15,
  // O(1) hash + ipset; Tigera: IPVS stays flat up to 10k services.
  ipvsLookupNs: 300,
  // O(1) verdict map; the blog: nftables p50 is about iptables' p01.
  nftablesLookupNs: 200,
  // An estimate, not a measurement: a new connection's BPF path is a handful of hash-map lookups
  // (service, backend slot, backend, CT create), each tens of ns; Cilium's own benchmarks show the
  // cost flat in the number of Services, which is what the model relies on.
  ebpfLookupNs: 150,
  // Established flows are translated from conntrack and skip the nat walk.
  conntrackHitNs: 100,
  // Receiving, routing and forwarding one packet, before any lookup: of the order of 1 µs of a
  // core. Linux 5.0 forwarding 64-byte packets peaks near 14 Mpps with RSS over a 32-core server
  // (toonk.io, "Linux Kernel and Measuring network throughput", 2020), about 0.4 Mpps per core.
  packetBaseNs: 1000,
};

/**
 * kube-proxy flags that change the rules. Every field is optional; `resolveOptions` fills
 * the defaults in one place.
 */
export interface CompileOptions {
  /**
   * --cluster-cidr for the ClusterCIDR local-traffic detector ('' = no detector, kube-proxy's
   * default when the flag is unset). Default 10.244.0.0/16, kubeadm's usual podSubnet.
   */
  readonly podCIDR?: string;
  /** --iptables-localhost-nodeports (default true): adds the 127.0.0.0/8 nfacct rule per NodePort. */
  readonly localhostNodePorts?: boolean;
  /** --masquerade-all (default false). */
  readonly masqueradeAll?: boolean;
  /** The node's topology.kubernetes.io/zone label ('' when unlabelled): zone hints filter by it. */
  readonly zone?: string;
  /** --ipvs-scheduler; kube-proxy's default is rr. */
  readonly ipvsScheduler?: IpvsScheduler;
  /** Cilium's load-balancing options (eBPF mode only). */
  readonly ebpf?: EbpfConfig;
  /** The node's InternalIP, for IPVS virtual servers and rendering. */
  readonly nodeIP?: string;
  /**
   * Kernel state that outlives a sync on a real node (xt_recent lists, nft affinity sets, IPVS
   * scheduler cursors, connection counts, persistence templates). Pass the node's own object
   * to every table compiled for that node; omit it and each table starts fresh.
   */
  readonly state?: NodeProxyState;
}

export interface ResolvedOptions {
  readonly zone: string;
  readonly podCIDR: string;
  readonly localhostNodePorts: boolean;
  readonly masqueradeAll: boolean;
  readonly ipvsScheduler: IpvsScheduler;
  readonly ebpf: EbpfConfig;
  readonly nodeIP: string;
}

export const DEFAULT_POD_CIDR = '10.244.0.0/16';

export function resolveOptions(o: CompileOptions = {}): ResolvedOptions {
  return {
    zone: o.zone ?? '',
    podCIDR: o.podCIDR ?? DEFAULT_POD_CIDR,
    localhostNodePorts: o.localhostNodePorts ?? true,
    masqueradeAll: o.masqueradeAll ?? false,
    ipvsScheduler: o.ipvsScheduler ?? 'rr',
    ebpf: o.ebpf ?? DEFAULT_EBPF,
    // TEST-NET-1 (RFC 5737): an address that cannot be mistaken for a real node.
    nodeIP: o.nodeIP ?? '192.0.2.1',
  };
}

/**
 * Negative results of `connect`. A result >= 0 is an index into
 * `servicePorts[sp].endpoints` of the table that answered.
 */
export const Verdict = {
  /** No rule for this port: the packet reaches the host, which answers RST. */
  NoService: -1,
  /** Local policy and no local endpoint: filter-table DROP, the client retransmits. */
  Drop: -2,
  /** No endpoints at all: filter-table REJECT, the client sees connection refused. */
  Reject: -3,
  /**
   * Load-balancer traffic from a source outside loadBalancerSourceRanges: dropped silently
   * (KUBE-PROXY-FIREWALL DROP, nftables' firewall chain, IPVS's KUBE-SOURCE-RANGES-FIREWALL,
   * Cilium's lb4_src_range check), so the client retransmits its SYN.
   */
  SourceRangeDrop: -4,
} as const;

/**
 * Where a new connection's first packet is addressed: a node's own address on the nodePort (from
 * outside, or from a pod or process in the cluster), the Service's load-balancer address, its
 * ClusterIP, or 127.0.0.1 on the nodePort from a process on the node. Each has its own rules.
 */
export type Destination = 'node-port' | 'load-balancer-ip' | 'cluster-ip' | 'localhost-node-port';
export const DESTINATIONS: readonly Destination[] = ['node-port', 'load-balancer-ip', 'cluster-ip', 'localhost-node-port'];

export interface NodeProxyTable {
  readonly mode: ProxyMode;
  readonly nodeName: string;
  /** The snapshot this table was compiled from; endpoint indexes refer to it. */
  readonly servicePorts: readonly ServicePortInfo[];
  /** Index of the service port listening on `nodePort`, or -1. O(1). */
  servicePortForNodePort(nodePort: number): number;
  /**
   * Routes the first packet of a new connection from `clientIp` (IPv4 as uint32) and its
   * ephemeral `clientPort` to this node's `nodePort`. Returns an endpoint index or a Verdict.
   * O(1) in the number of services; allocation-free. Afterwards `lastRulesWalked`,
   * `lastCostNs`, `lastMasquerade`, `lastReplyLost` and `lastDirectReply` describe the walk.
   * (Only the eBPF data path hashes the client port; kube-proxy's modes ignore it.) `to` is
   * where the packet is addressed (default 'node-port'); the service port is still named by its
   * nodePort, and the client's address tells a local pod or the node itself from a remote source.
   */
  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number, clientPort?: number, to?: Destination): number;
  /**
   * The connection that `connect` gave `endpoint` (an index of this table's snapshot) has
   * ended. Only IPVS keeps per-connection state (lc/sed/nq), per virtual server (`to` names
   * the one the connection reached); the others ignore it.
   */
  release(nodePort: number, endpoint: number, closedAtNs?: number, to?: Destination): void;
  /** The chains (or virtual server) the last `connect` walked, for tests and users. */
  explain(): string[];
  readonly lastRulesWalked: number;
  readonly lastCostNs: number;
  /** Whether the connection is SNATed to the node's IP (Cluster policy). */
  readonly lastMasquerade: boolean;
  /**
   * The packet was forwarded to a remote pod without SNAT, so the pod's reply bypasses this
   * node and the client drops it (IPVS, Local policy, no local endpoint: kubernetes#97081).
   */
  readonly lastReplyLost: boolean;
  /**
   * The backend's node answers the client itself (Cilium DSR): the reply skips this node and
   * the client's IP reaches the pod. Only the eBPF data path sets it.
   */
  readonly lastDirectReply?: boolean;
}
