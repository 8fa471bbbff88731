// The walks iptables and nftables share (a node address's nodePort, the load-balancer IP, the
// ClusterIP, 127.0.0.1): kube-proxy's nftables proxier writes the same
// chain structure as its iptables one (external chain, pod short-circuit, local or cluster
// service chain, per-endpoint affinity checks, then the endpoint chain's hairpin check and DNAT),
// so one walk counts both, and a small dialect says where the two differ: iptables walks its
// dispatch chains rule by rule and picks with a statistic cascade, nftables jumps through verdict
// maps and picks with `numgen random`. One class for both keeps the per-packet calls monomorphic.
// The file runs past 300 lines on purpose: the load-balancer, ClusterIP and localhost walks end in the same
// private service-chain walk (`finish`), and splitting the class would expose its internals.

import { type Cidr, cidrContains, parseCidr } from '../net/ipv4.js';
import type { NodeChainPart, SharedChainPlan } from './chain-plan-shared.js';
import { AFFINITY, EXT_LOCAL, HAS_ENDPOINTS, INT_LOCAL } from './iptables-plan.js';
import type { NodeProxyState } from './node-state.js';
import { cascadePick } from './probability.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';
import { type Destination, type ResolvedOptions, Verdict } from './types.js';

/** Where the differences between the two modes lie; plain data of one shape for both. */
export interface ChainDialect {
  /**
   * iptables: KUBE-SERVICES, KUBE-NODEPORTS and KUBE-EXTERNAL-SERVICES are lists walked rule by
   * rule, so the rules before a service's own count. nftables: the `services` chain's two vmap
   * rules and filter-input's one map lookup, whatever the position.
   */
  readonly linearDispatch: boolean;
  /** iptables: `statistic --probability 1/(n-k)` cascade, no draw for a lone endpoint; nftables: `numgen random mod n`. */
  readonly cascade: boolean;
  /** Affinity kept in xt_recent lists (`--rcheck`/`--set`, the set uncounted) or nft timeout sets (`update @set` counted). */
  readonly xtRecent: boolean;
  /** Cost of a walk: rulesWalked × ruleNs + fixedNs (iptables per rule; nftables a constant). */
  readonly ruleNs: number;
  readonly fixedNs: number;
}

/** How the last connect went, for explain(). */
export const enum WalkPath {
  None,
  /** No rule (iptables) or no map element (nftables) for the port. */
  NoRule,
  Reject,
  Drop,
  Cluster,
  Local,
  PodShortCircuit,
  /** Load-balancer traffic from outside loadBalancerSourceRanges: KUBE-PROXY-FIREWALL / the firewall chain drops it. */
  SourceRangeDrop,
  /** A source on the node itself (`--src-type LOCAL`): masqueraded, then the cluster-wide chain. */
  LocalShortCircuit,
  /** A ClusterIP packet to the internal policy chain (KUBE-SVC, or KUBE-SVL under internal policy Local). */
  ClusterIP,
}

/** 127.0.0.0/8: loopback addresses are `--src-type LOCAL` (and `fib saddr type local`) too. */
const isLoopback = (ip: number): boolean => ip >>> 24 === 127;

/** The external chain's Cluster rules: the mark-for-masquerade jump, the MARK rule inside it, the jump to the service chain. */
const EXT_RULES_CLUSTER = 3;
/** The endpoint chain: the hairpin `-s <ep> -j KUBE-MARK-MASQ` check, then DNAT. */
const SEP_RULES = 2;
/** Rules of nftables' `services` chain a NodePort packet evaluates: the service-ips vmap miss, the nodeports vmap hit. */
const NFT_SERVICES_RULES = 2;

/**
 * Every endpoint's affinity list (xt_recent) or set (nft) name, per plan position, made when a
 * position is first walked: names depend on the service and endpoint alone, so the nodes that
 * share a plan share them.
 */
export class AffinityNames {
  private readonly byPosition = new Map<number, string[]>();
  /** `carried`: a previous snapshot's names, whose positions are this plan's; kept for the ports not `changed`. */
  constructor(
    private readonly plan: SharedChainPlan,
    private readonly nameOf: (sp: ServicePortInfo, ep: EndpointInfo) => string,
    carried?: { readonly names: AffinityNames; readonly changed: ReadonlySet<number> },
  ) {
    if (carried === undefined) return;
    for (const [p, names] of carried.names.byPosition) if (!carried.changed.has(plan.order[p])) this.byPosition.set(p, names);
  }

  /** The names of position `p`'s endpoints, by endpoint index. */
  of(p: number): string[] {
    let names = this.byPosition.get(p);
    if (names === undefined) {
      const sp = this.plan.servicePorts[this.plan.order[p]];
      this.byPosition.set(p, (names = sp.endpoints.map((ep) => this.nameOf(sp, ep))));
    }
    return names;
  }
}

/** What the iptables and nftables tables of the nodes of one snapshot (and zone) share. */
export interface SharedChainTables {
  readonly plan: SharedChainPlan;
  readonly names: AffinityNames;
}

/** The pod CIDR of kube-proxy's local-traffic detector, or null when there is none. */
function detectorCidr(options: ResolvedOptions): Cidr | null {
  if (options.podCIDR === '') return null;
  const cidr = parseCidr(options.podCIDR);
  if (cidr === undefined) throw new Error(`podCIDR ${options.podCIDR}: expected an IPv4 CIDR such as 10.244.0.0/16`);
  return cidr;
}

export class ChainWalk {
  rulesWalked = 0;
  costNs = 0;
  masquerade = false;
  path = WalkPath.None;
  /** Plan position of the last service port walked (or filtered), -1 when none. */
  position = -1;
  /** Endpoint index (into the service port's endpoints) the last connect chose. */
  endpoint = -1;
  /** The last connect's client was its own endpoint (hairpin masquerade). */
  hairpin = false;
  viaLoadBalancer = false; // the last connect was addressed to the load-balancer IP…
  viaFirewallChain = false; // …and walked its KUBE-FW chain (loadBalancerSourceRanges)
  /** The last connect was addressed to 127.0.0.1:nodePort. */
  localhost = false;
  /** The last ClusterIP connect matched the policy chain's "cluster IP" masquerade rule (the hairpin check may mark it too). */
  clusterIPMasq = false;
  private readonly plan: SharedChainPlan;
  private readonly podCidr: Cidr | null;
  /** KUBE-SVC opens with the "cluster IP" masquerade rule when a detector or masqueradeAll exists. */
  private readonly svcMasqRule: number;
  /** The node's InternalIP as uint32 (-1 when it is none): a packet from it is `--src-type LOCAL`. */
  private readonly nodeIp: number;
  /** This node's whole-chain rule counts: the shared count plus the node's own extra rules. */
  private readonly kubeServicesRules: number;
  private readonly filterServicesRules: number;
  private readonly externalServicesRules: number;

  constructor(
    private readonly shared: SharedChainTables,
    private readonly node: NodeChainPart,
    private readonly dialect: ChainDialect,
    private readonly state: NodeProxyState,
  ) {
    this.plan = shared.plan;
    this.podCidr = detectorCidr(this.plan.options);
    this.svcMasqRule = this.plan.options.masqueradeAll || this.podCidr !== null ? 1 : 0;
    this.nodeIp = node.nodeIp;
    const l = this.plan.localPositions.length;
    this.kubeServicesRules = this.plan.kubeServicesRules + node.servicesBefore[l];
    this.filterServicesRules = this.plan.filterServicesRules + node.filterServicesBefore[l];
    this.externalServicesRules = this.plan.externalServicesRules + node.externalBefore[l];
  }

  servicePortForNodePort(nodePort: number): number {
    const plan = this.plan;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    if (p >= 0) return plan.order[p];
    const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
    return f >= 0 ? plan.order[f] : -1;
  }

  /** KUBE-EXTERNAL-SERVICES rules on this node before position p's NodePort rule. */
  private externalBefore(p: number): number {
    return this.plan.externalServicesBefore[p] + this.node.externalBefore[this.plan.localBefore[p]];
  }

  /**
   * The position whose NodePort has a filter KUBE-EXTERNAL-SERVICES rule on this node, or -1: the
   * shared ones (no endpoints anywhere), or an external-policy-Local port without a local endpoint.
   */
  private filteredNodePort(nodePort: number): number {
    const plan = this.plan;
    const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
    if (f >= 0) return f;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    return p >= 0 && (plan.flags[p] & EXT_LOCAL) !== 0 && !this.hasLocal(p) ? p : -1;
  }

  /** Whether the node-dependent port p (a local index's) has a local endpoint on this node. */
  private hasLocal(p: number): boolean {
    return this.node.localCount[this.plan.localBefore[p]] > 0;
  }

  /** nat KUBE-SERVICES rules on this node before p's "cluster IP" rule (-1: none, no internal endpoints). */
  private clusterIPBefore(p: number): number {
    const b = this.plan.clusterIPBefore[p];
    if (b < 0 || ((this.plan.flags[p] & INT_LOCAL) !== 0 && !this.hasLocal(p))) return -1;
    return b + this.node.servicesBefore[this.plan.localBefore[p]];
  }

  /** filter KUBE-SERVICES rules on this node before p's REJECT or DROP rule (-1: none). */
  private filterServicesBefore(p: number): number {
    const b = this.plan.filterServicesBefore[p];
    if (b < 0 || ((this.plan.flags[p] & HAS_ENDPOINTS) !== 0 && this.hasLocal(p))) return -1;
    return b + this.node.filterServicesBefore[this.plan.localBefore[p]];
  }

  /** nat KUBE-SERVICES rules on this node before p's first load-balancer IP rule (-1: none); p's own "cluster IP" rule included. */
  private lbServicesBefore(p: number): number {
    const b = this.plan.lbServicesBefore[p];
    if (b < 0) return -1;
    const own = (this.plan.flags[p] & INT_LOCAL) !== 0 && this.hasLocal(p) ? 1 : 0;
    return b + this.node.servicesBefore[this.plan.localBefore[p]] + own;
  }

  /** filter KUBE-EXTERNAL-SERVICES rules on this node before p's first LB IP rule (-1: none, external endpoints exist). */
  private lbExternalServicesBefore(p: number): number {
    const b = this.plan.lbExternalServicesBefore[p];
    if (b < 0 || ((this.plan.flags[p] & HAS_ENDPOINTS) !== 0 && this.hasLocal(p))) return -1;
    return b + this.node.externalBefore[this.plan.localBefore[p]];
  }

  /** allowFromNode: a source range covers the node's IP, so the FW chain also accepts the LB IPs as sources. */
  private allowFromNode(ranges: readonly Cidr[]): boolean {
    return this.nodeIp >= 0 && ranges.some((c) => cidrContains(c, this.nodeIp));
  }

  /**
   * A packet to a node address on `nodePort`: the node's InternalIP, or with `localhost` 127.0.0.1
   * (iptables with --iptables-localhost-nodeports only: callers check; KUBE-NODEPORTS then matches
   * the port's `-d 127.0.0.0/8` rule, the first of its two).
   */
  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number, localhost = false): number {
    const plan = this.plan;
    const linear = this.dialect.linearDispatch;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    this.position = p;
    this.hairpin = false;
    this.viaLoadBalancer = false;
    this.localhost = localhost;
    if (p < 0) {
      // No nat rule: iptables walks all of KUBE-SERVICES and KUBE-NODEPORTS, then filter decides;
      // nftables misses the vmap and filter-input's no-endpoint-nodeports map decides.
      const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
      this.position = f;
      this.path = f >= 0 ? WalkPath.Reject : WalkPath.NoRule;
      const nat = this.kubeServicesRules + plan.nodePortsRules + plan.proxyFirewallRules;
      if (!linear) this.record(NFT_SERVICES_RULES + 1, false);
      else this.record(f >= 0 ? nat + this.externalBefore(f) + 1 : nat + this.externalServicesRules, false);
      return f >= 0 ? Verdict.Reject : Verdict.NoService;
    }
    const npEnd = plan.nodePortsBefore[p] + (localhost ? 1 : plan.nodePortRulesPerPort);
    let walked = linear ? this.kubeServicesRules + npEnd : NFT_SERVICES_RULES;
    if ((plan.flags[p] & EXT_LOCAL) !== 0) {
      if (this.podCidr !== null) {
        walked++; // "pod traffic for ... external destinations": -s <podCIDR> -j KUBE-SVC / goto service-…
        if (cidrContains(this.podCidr, clientIp)) {
          return this.finish(p, WalkPath.PodShortCircuit, walked + this.masqRuleIn(p, false), plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], false, clientIp, nowNs, random);
        }
      }
      if (clientIp === this.nodeIp || isLoopback(clientIp)) {
        // "masquerade LOCAL traffic" matches (KUBE-MARK-MASQ and its MARK rule), then "route LOCAL
        // traffic" jumps to the cluster-wide chain: the node's own processes are never dropped.
        walked += 3 + this.masqRuleIn(p, false);
        return this.finish(p, WalkPath.LocalShortCircuit, walked, plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
      }
      walked += 2; // "masquerade LOCAL traffic", "route LOCAL traffic": --src-type LOCAL / fib saddr type local fail
      // A nat rule means an endpoint somewhere, so the port is one of the node's local ones.
      const j = plan.localBefore[p];
      const node = this.node;
      if (node.localCount[j] === 0) {
        // The external chain has no final jump. iptables: back to the rest of KUBE-NODEPORTS,
        // then the filter DROP; nftables: the no-endpoint-nodeports drop element.
        this.path = WalkPath.Drop;
        walked += linear ? plan.nodePortsRules - npEnd + plan.proxyFirewallRules + this.externalBefore(p) + 1 : 1;
        this.record(walked, false);
        return Verdict.Drop;
      }
      walked++; // -j KUBE-SVL / goto local-…
      return this.finish(p, WalkPath.Local, walked + this.masqRuleIn(p, true), node.targets, node.targetIp, node.localStart[j], node.localCount[j], false, clientIp, nowNs, random);
    }
    walked += EXT_RULES_CLUSTER + this.masqRuleIn(p, false);
    return this.finish(p, WalkPath.Cluster, walked, plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
  }

  /**
   * The first packet to the service port's first load-balancer IP, as a passthrough balancer
   * (GCP's network LB, MetalLB) delivers it. iptables: KUBE-SERVICES to the "loadbalancer IP"
   * rule, KUBE-FW's `-s` rules (loadBalancerSourceRanges), then EXT as for a NodePort; a packet
   * nat leaves untranslated walks the rest of KUBE-SERVICES (the LB IP is not local: no nodeports
   * jump), then filter KUBE-PROXY-FIREWALL and KUBE-EXTERNAL-SERVICES. nftables: filter-prerouting's
   * firewall-ips lookup (and `ip saddr != {…} drop`), then the service-ips hit.
   */
  connectLoadBalancer(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const plan = this.plan;
    const linear = this.dialect.linearDispatch;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    this.position = p;
    this.hairpin = false;
    this.viaLoadBalancer = true;
    this.viaFirewallChain = false;
    this.localhost = false;
    const ranges = p >= 0 ? plan.sourceRanges[p] : null;
    if (p < 0 || this.lbServicesBefore(p) < 0) {
      // No nat rule: iptables walks all of nat, then filter's two chains; nftables misses three lookups, then service-endpoints-check decides.
      const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
      const lbFilter = f >= 0 ? this.lbExternalServicesBefore(f) : -1;
      this.position = f;
      // nftables writes the firewall without endpoints too (its usesFWChain has no hasEndpoints):
      // filter-prerouting drops a source outside the ranges before service-endpoints-check.
      const fwRanges = !linear && f >= 0 ? plan.sourceRanges[f] : null;
      if (fwRanges !== null) {
        this.viaFirewallChain = true;
        if (!fwRanges.some((c) => cidrContains(c, clientIp))) {
          this.path = WalkPath.SourceRangeDrop;
          this.record(2, false);
          return Verdict.SourceRangeDrop;
        }
      }
      this.path = lbFilter >= 0 ? WalkPath.Reject : WalkPath.NoRule;
      const filter = plan.proxyFirewallRules + (lbFilter >= 0 ? lbFilter + 1 : this.externalServicesRules);
      this.record(linear ? this.kubeServicesRules + filter : NFT_SERVICES_RULES + 2 + (fwRanges !== null ? 1 : 0), false);
      return lbFilter >= 0 ? Verdict.Reject : Verdict.NoService;
    }
    const lbRule = this.lbServicesBefore(p);
    let walked = linear ? lbRule + 1 : 1;
    const natRest = this.kubeServicesRules - lbRule - 1; // KUBE-SERVICES' rules after the LB rule, walked on the way back
    let fwRest = 0;
    let fwRematches = 0; // later KUBE-FW rules the source matches too (overlapping ranges)
    if (ranges !== null) {
      this.viaFirewallChain = true;
      const fromNode = this.allowFromNode(ranges) ? (plan.servicePorts[plan.order[p]].loadBalancerIPs?.length ?? 0) : 0;
      let k = 0;
      while (k < ranges.length && !cidrContains(ranges[k], clientIp)) k++;
      if (k === ranges.length) {
        // Off KUBE-FW's end (its comment-only rule included): KUBE-PROXY-FIREWALL drops it; nftables: `ip saddr != {…} drop`.
        this.path = WalkPath.SourceRangeDrop;
        this.record(linear ? walked + ranges.length + fromNode + 1 + natRest + plan.proxyFirewallBefore[p] + 1 : 2, false);
        return Verdict.SourceRangeDrop;
      }
      walked += linear ? k + 1 : 2;
      fwRest = ranges.length - k - 1 + fromNode + 1;
      for (let j = k + 1; j < ranges.length; j++) if (cidrContains(ranges[j], clientIp)) fwRematches++;
    }
    if (!linear && ranges === null) walked++; // firewall-check: the firewall-ips lookup misses
    if ((plan.flags[p] & EXT_LOCAL) !== 0) {
      if (this.podCidr !== null) {
        walked++;
        if (cidrContains(this.podCidr, clientIp)) {
          return this.finish(p, WalkPath.PodShortCircuit, walked + this.masqRuleIn(p, false), plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], false, clientIp, nowNs, random);
        }
      }
      walked += 2;
      const j = plan.localBefore[p];
      const node = this.node;
      if (node.localCount[j] === 0) {
        // The EXT chain has no final jump. iptables: back through KUBE-FW (each later rule the
        // source matches enters EXT again and falls off it again) and KUBE-SERVICES; filter
        // KUBE-PROXY-FIREWALL drops what the FW chain let through, else KUBE-EXTERNAL-SERVICES does.
        this.path = WalkPath.Drop;
        const filter = ranges !== null ? plan.proxyFirewallBefore[p] + 1 : plan.proxyFirewallRules + this.lbExternalServicesBefore(p) + 1;
        const extRules = (this.podCidr !== null ? 1 : 0) + 2;
        this.record(linear ? walked + fwRest + fwRematches * extRules + natRest + filter : walked + 1, false);
        return Verdict.Drop;
      }
      walked++;
      return this.finish(p, WalkPath.Local, walked + this.masqRuleIn(p, true), node.targets, node.targetIp, node.localStart[j], node.localCount[j], false, clientIp, nowNs, random);
    }
    walked += EXT_RULES_CLUSTER + this.masqRuleIn(p, false);
    return this.finish(p, WalkPath.Cluster, walked, plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
  }

  /**
   * A packet to the ClusterIP of the service port on `nodePort`, from a pod or the node itself
   * (syncProxyRules, "Capture the clusterIP"): KUBE-SERVICES' `-d clusterIP` rule jumps to the
   * internal policy chain, whose "cluster IP" rule marks for masquerade what is not from a pod
   * (`! -s podCIDR`, or everything with --masquerade-all). Without internal endpoints the nat
   * table has no rule and filter KUBE-SERVICES drops ("has no local endpoints") or rejects ("has
   * no endpoints") it; nftables: the `no-endpoint-services` element.
   */
  connectClusterIP(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const plan = this.plan;
    const linear = this.dialect.linearDispatch;
    this.hairpin = false;
    this.localhost = false;
    this.viaLoadBalancer = false;
    let p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    if (p < 0) p = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
    this.position = p;
    if (p < 0) {
      this.path = WalkPath.NoRule;
      this.record(linear ? this.kubeServicesRules + plan.proxyFirewallRules + this.filterServicesRules : NFT_SERVICES_RULES + 1, false);
      return Verdict.NoService;
    }
    const before = this.clusterIPBefore(p);
    if (before < 0) {
      // Every nat KUBE-SERVICES rule misses (a ClusterIP is no local address, so the nodeports jump
      // fails too); filter KUBE-SERVICES, reached from FORWARD (a pod) or OUTPUT (the node), decides.
      const reject = (plan.flags[p] & HAS_ENDPOINTS) === 0;
      this.path = reject ? WalkPath.Reject : WalkPath.Drop;
      this.record(linear ? this.kubeServicesRules + plan.proxyFirewallRules + this.filterServicesBefore(p) + 1 : NFT_SERVICES_RULES + 1, false);
      return reject ? Verdict.Reject : Verdict.Drop;
    }
    const local = (plan.flags[p] & INT_LOCAL) !== 0;
    let walked = linear ? before + 1 : 1; // nftables: the service-ips vmap hit
    let masquerade = false;
    if (this.svcMasqRule === 1) {
      walked++;
      if (plan.options.masqueradeAll || !cidrContains(this.podCidr as Cidr, clientIp)) {
        walked++; // KUBE-MARK-MASQ's MARK rule
        masquerade = true;
      }
    }
    this.clusterIPMasq = masquerade;
    if (!local) return this.finish(p, WalkPath.ClusterIP, walked, plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], masquerade, clientIp, nowNs, random);
    const { node } = this;
    const j = plan.localBefore[p];
    return this.finish(p, WalkPath.ClusterIP, walked, node.targets, node.targetIp, node.localStart[j], node.localCount[j], masquerade, clientIp, nowNs, random);
  }

  /**
   * A packet from the node to 127.0.0.1:nodePort. iptables with --iptables-localhost-nodeports
   * (route_localnet set) walks KUBE-NODEPORTS' `-d 127.0.0.0/8` rule into the external chain, where
   * the loopback source is `--src-type LOCAL` and so masqueraded. Without the flag the KUBE-NODEPORTS
   * jump carries `! -d 127.0.0.0/8`, and nftables' nodeports vmap and nodeport-endpoints-check carry
   * `ip daddr != 127.0.0.0/8` ("localhost NodePorts are not supported"): nothing translates the
   * packet and the node's own stack, where nothing listens on the port, answers RST — but iptables'
   * filter KUBE-EXTERNAL-SERVICES (`--dst-type LOCAL`, reached from INPUT) still drops or rejects it.
   */
  connectLocalhost(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const plan = this.plan;
    const linear = this.dialect.linearDispatch;
    if (linear && plan.options.localhostNodePorts) return this.connect(nodePort, clientIp, nowNs, random, true);
    this.hairpin = false;
    this.localhost = true;
    this.viaLoadBalancer = false;
    this.position = -1;
    this.path = WalkPath.NoRule;
    if (!linear) {
      this.record(NFT_SERVICES_RULES + 1, false);
      return Verdict.NoService;
    }
    const f = this.filteredNodePort(nodePort);
    this.position = f;
    if (f < 0) {
      this.record(this.kubeServicesRules + plan.proxyFirewallRules + this.externalServicesRules, false);
      return Verdict.NoService;
    }
    const reject = (plan.flags[f] & HAS_ENDPOINTS) === 0;
    this.path = reject ? WalkPath.Reject : WalkPath.Drop;
    this.record(this.kubeServicesRules + plan.proxyFirewallRules + this.externalBefore(f) + 1, false);
    return reject ? Verdict.Reject : Verdict.Drop;
  }

  /**
   * Rules of the "cluster IP" masquerade kind at the head of a policy chain (0 or 1): kube-proxy
   * writes it into the internal policy chain only, KUBE-SVC under internal policy Cluster and
   * KUBE-SVL under Local (syncProxyRules, "Set up internal traffic handling").
   */
  private masqRuleIn(p: number, localChain: boolean): number {
    return localChain === ((this.plan.flags[p] & INT_LOCAL) !== 0) ? this.svcMasqRule : 0;
  }

  /** The service chain from its affinity rules on, then the endpoint chain; the endpoints are `targets[start, start + n)`. */
  private finish(
    p: number,
    path: WalkPath,
    walkedBefore: number,
    targets: Int32Array,
    targetIp: Uint32Array,
    start: number,
    n: number,
    masqueradeIn: boolean,
    clientIp: number,
    nowNs: number,
    random: () => number,
  ): number {
    const d = this.dialect;
    let walked = walkedBefore;
    let masquerade = masqueradeIn;
    let pick = -1;
    const names = (this.plan.flags[p] & AFFINITY) !== 0 ? this.shared.names.of(p) : null;
    const timeoutNs = this.plan.servicePorts[this.plan.order[p]].sessionAffinityTimeoutS * 1e9;
    if (names !== null) {
      // One affinity check per endpoint, in endpoint order, before the balancing rule(s).
      for (let k = 0; k < n; k++) {
        walked++;
        if (this.affine(names[targets[start + k]], clientIp, nowNs, timeoutNs)) {
          pick = k;
          break;
        }
      }
    }
    if (pick < 0) {
      if (d.cascade) {
        // One statistic rule per endpoint with probability 1/(n-k); the last is unconditional, and
        // a lone endpoint's rule draws nothing.
        pick = n === 1 ? 0 : cascadePick(n, random());
        walked += pick + 1;
      } else {
        walked++;
        // nft_ng_random: reciprocal_scale(get_random_u32(), n), i.e. floor(u32 * n / 2^32).
        pick = Math.floor(random() * n);
      }
    }
    const slot = start + pick;
    walked += SEP_RULES;
    if (targetIp[slot] === clientIp) {
      walked++; // the hairpin check matched: the mark-for-masquerade rule
      masquerade = true;
      this.hairpin = true;
    }
    const endpoint = targets[slot];
    if (names !== null) {
      const name = names[endpoint];
      if (d.xtRecent) this.state.recent.set(name, clientIp, nowNs);
      else {
        walked++; // update @affinity-… { ip saddr }
        let set = this.state.nftAffinity.get(name);
        if (set === undefined) this.state.nftAffinity.set(name, (set = new Map()));
        set.set(clientIp, nowNs + timeoutNs);
      }
    }
    this.path = path;
    this.endpoint = endpoint;
    this.record(walked, masquerade);
    return endpoint;
  }

  /** Whether the client is remembered for this endpoint: `recent --rcheck --seconds T --reap`, or `ip saddr @affinity-…`. */
  private affine(name: string, clientIp: number, nowNs: number, timeoutNs: number): boolean {
    if (this.dialect.xtRecent) return this.state.recent.check(name, clientIp, nowNs, timeoutNs);
    const expires = this.state.nftAffinity.get(name)?.get(clientIp);
    return expires !== undefined && expires > nowNs;
  }

  private record(rules: number, masquerade: boolean): void {
    this.rulesWalked = rules;
    this.costNs = rules * this.dialect.ruleNs + this.dialect.fixedNs;
    this.masquerade = masquerade;
  }
}

/** The walk for where the packet is addressed. */
export function walkTo(walk: ChainWalk, to: Destination, nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
  switch (to) {
    case 'node-port':
      return walk.connect(nodePort, clientIp, nowNs, random);
    case 'cluster-ip':
      return walk.connectClusterIP(nodePort, clientIp, nowNs, random);
    case 'localhost-node-port':
      return walk.connectLocalhost(nodePort, clientIp, nowNs, random);
    case 'load-balancer-ip':
      return walk.connectLoadBalancer(nodePort, clientIp, nowNs, random);
  }
}
