// The NodePort walk iptables and nftables share: kube-proxy's nftables proxier writes the same
// chain structure as its iptables one (external chain, pod short-circuit, local or cluster
// service chain, per-endpoint affinity checks, then the endpoint chain's hairpin check and DNAT),
// so one walk counts both, and a small dialect says where the two differ: iptables walks its
// dispatch chains rule by rule and picks with a statistic cascade, nftables jumps through verdict
// maps and picks with `numgen random`. One class for both keeps the per-packet calls monomorphic.

import { type Cidr, cidrContains, parseCidr } from '../net/ipv4.js';
import { AFFINITY, EXT_LOCAL, type IptablesPlan } from './iptables-plan.js';
import { NodeProxyState } from './node-state.js';
import { cascadePick } from './probability.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';
import { type CompileOptions, type ResolvedOptions, Verdict } from './types.js';

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
}

/** The external chain's Cluster rules: the mark-for-masquerade jump, the MARK rule inside it, the jump to the service chain. */
const EXT_RULES_CLUSTER = 3;
/** The endpoint chain: the hairpin `-s <ep> -j KUBE-MARK-MASQ` check, then DNAT. */
const SEP_RULES = 2;
/** Rules of nftables' `services` chain a NodePort packet evaluates: the service-ips vmap miss, the nodeports vmap hit. */
const NFT_SERVICES_RULES = 2;

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
  /** Target slot (index into the plan's targets) the last connect chose. */
  target = -1;
  /** The last connect's client was its own endpoint (hairpin masquerade). */
  hairpin = false;
  viaLoadBalancer = false; // the last connect was addressed to the load-balancer IP…
  viaFirewallChain = false; // …and walked its KUBE-FW chain (loadBalancerSourceRanges)
  private readonly podCidr: Cidr | null;
  /** KUBE-SVC opens with the "cluster IP" masquerade rule when a detector or masqueradeAll exists. */
  private readonly svcMasqRule: number;
  private readonly state: NodeProxyState;
  /** `affinityNames.get(p)[slot - clusterStart[p]]`: the affinity list or set of each target slot, only for ClientIP ports. */
  private readonly affinityNames = new Map<number, string[]>();

  /** `affinityName` names an endpoint's xt_recent list or nft set. */
  constructor(
    private readonly plan: IptablesPlan,
    private readonly servicePorts: readonly ServicePortInfo[],
    private readonly dialect: ChainDialect,
    affinityName: (sp: ServicePortInfo, ep: EndpointInfo) => string,
    options: CompileOptions,
  ) {
    this.podCidr = detectorCidr(plan.options);
    this.svcMasqRule = plan.options.masqueradeAll || this.podCidr !== null ? 1 : 0;
    this.state = options.state ?? new NodeProxyState();
    const { order, flags, clusterStart, localStart, localCount, targets } = plan;
    for (let p = 0; p < order.length; p++) {
      if ((flags[p] & AFFINITY) === 0) continue;
      const sp = servicePorts[order[p]];
      const end = localStart[p] + localCount[p];
      const names: string[] = [];
      for (let k = clusterStart[p]; k < end; k++) names.push(affinityName(sp, sp.endpoints[targets[k]]));
      this.affinityNames.set(p, names);
    }
  }

  servicePortForNodePort(nodePort: number): number {
    const plan = this.plan;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    if (p >= 0) return plan.order[p];
    const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
    return f >= 0 ? plan.order[f] : -1;
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const plan = this.plan;
    const linear = this.dialect.linearDispatch;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    this.position = p;
    this.hairpin = false;
    this.viaLoadBalancer = false;
    if (p < 0) {
      // No nat rule: iptables walks all of KUBE-SERVICES and KUBE-NODEPORTS, then filter decides;
      // nftables misses the vmap and filter-input's no-endpoint-nodeports map decides.
      const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
      this.position = f;
      this.path = f >= 0 ? WalkPath.Reject : WalkPath.NoRule;
      const nat = plan.kubeServicesRules + plan.nodePortsRules;
      if (!linear) this.record(NFT_SERVICES_RULES + 1, false);
      else this.record(f >= 0 ? nat + plan.externalServicesBefore[f] + 1 : nat + plan.externalServicesRules, false);
      return f >= 0 ? Verdict.Reject : Verdict.NoService;
    }
    const npEnd = plan.nodePortsBefore[p] + plan.nodePortRulesPerPort;
    let walked = linear ? plan.kubeServicesRules + npEnd : NFT_SERVICES_RULES;
    if ((plan.flags[p] & EXT_LOCAL) !== 0) {
      if (this.podCidr !== null) {
        walked++; // "pod traffic for ... external destinations": -s <podCIDR> -j KUBE-SVC / goto service-…
        if (cidrContains(this.podCidr, clientIp)) {
          return this.finish(p, WalkPath.PodShortCircuit, walked + this.svcMasqRule, plan.clusterStart[p], plan.clusterCount[p], false, clientIp, nowNs, random);
        }
      }
      walked += 2; // "masquerade LOCAL traffic", "route LOCAL traffic": --src-type LOCAL / fib saddr type local fail
      if (plan.localCount[p] === 0) {
        // The external chain has no final jump. iptables: back to the rest of KUBE-NODEPORTS,
        // then the filter DROP; nftables: the no-endpoint-nodeports drop element.
        this.path = WalkPath.Drop;
        walked += linear ? plan.nodePortsRules - npEnd + plan.externalServicesBefore[p] + 1 : 1;
        this.record(walked, false);
        return Verdict.Drop;
      }
      walked++; // -j KUBE-SVL / goto local-…
      return this.finish(p, WalkPath.Local, walked, plan.localStart[p], plan.localCount[p], false, clientIp, nowNs, random);
    }
    walked += EXT_RULES_CLUSTER + this.svcMasqRule;
    return this.finish(p, WalkPath.Cluster, walked, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
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
    const ranges = p >= 0 ? plan.sourceRanges[p] : null;
    if (p < 0 || plan.lbServicesBefore[p] < 0) {
      // No nat rule: iptables walks all of nat, then filter's two chains; nftables misses three lookups, then service-endpoints-check decides.
      const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
      const lbFilter = f >= 0 ? plan.lbExternalServicesBefore[f] : -1;
      this.position = f;
      this.path = lbFilter >= 0 ? WalkPath.Reject : WalkPath.NoRule;
      const filter = plan.proxyFirewallRules + (lbFilter >= 0 ? lbFilter + 1 : plan.externalServicesRules);
      this.record(linear ? plan.kubeServicesRules + filter : NFT_SERVICES_RULES + 2, false);
      return lbFilter >= 0 ? Verdict.Reject : Verdict.NoService;
    }
    const lbRule = plan.lbServicesBefore[p];
    let walked = linear ? lbRule + 1 : 1;
    const natRest = plan.kubeServicesRules - lbRule - 1; // KUBE-SERVICES' rules after the LB rule, walked on the way back
    let fwRest = 0;
    if (ranges !== null) {
      this.viaFirewallChain = true;
      const fromNode = plan.allowFromNode[p] === 1 ? (this.servicePorts[plan.order[p]].loadBalancerIPs?.length ?? 0) : 0;
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
    }
    if (!linear && ranges === null) walked++; // firewall-check: the firewall-ips lookup misses
    if ((plan.flags[p] & EXT_LOCAL) !== 0) {
      if (this.podCidr !== null) {
        walked++;
        if (cidrContains(this.podCidr, clientIp)) {
          return this.finish(p, WalkPath.PodShortCircuit, walked + this.svcMasqRule, plan.clusterStart[p], plan.clusterCount[p], false, clientIp, nowNs, random);
        }
      }
      walked += 2;
      if (plan.localCount[p] === 0) {
        // The EXT chain has no final jump. iptables: back through KUBE-FW and KUBE-SERVICES; filter
        // KUBE-PROXY-FIREWALL drops what the FW chain let through, else KUBE-EXTERNAL-SERVICES does.
        this.path = WalkPath.Drop;
        const filter = ranges !== null ? plan.proxyFirewallBefore[p] + 1 : plan.proxyFirewallRules + plan.lbExternalServicesBefore[p] + 1;
        this.record(linear ? walked + fwRest + natRest + filter : walked + 1, false);
        return Verdict.Drop;
      }
      walked++;
      return this.finish(p, WalkPath.Local, walked, plan.localStart[p], plan.localCount[p], false, clientIp, nowNs, random);
    }
    walked += EXT_RULES_CLUSTER + this.svcMasqRule;
    return this.finish(p, WalkPath.Cluster, walked, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
  }

  /** The service chain from its affinity rules on, then the endpoint chain. */
  private finish(
    p: number,
    path: WalkPath,
    walkedBefore: number,
    start: number,
    n: number,
    masqueradeIn: boolean,
    clientIp: number,
    nowNs: number,
    random: () => number,
  ): number {
    const plan = this.plan;
    const d = this.dialect;
    let walked = walkedBefore;
    let masquerade = masqueradeIn;
    let pick = -1;
    const names = (plan.flags[p] & AFFINITY) !== 0 ? (this.affinityNames.get(p) as string[]) : null;
    const slot0 = plan.clusterStart[p];
    const timeoutNs = this.servicePorts[plan.order[p]].sessionAffinityTimeoutS * 1e9;
    if (names !== null) {
      // One affinity check per endpoint, in endpoint order, before the balancing rule(s).
      for (let k = 0; k < n; k++) {
        walked++;
        if (this.affine(names[start + k - slot0], clientIp, nowNs, timeoutNs)) {
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
    if (plan.targetIp[slot] === clientIp) {
      walked++; // the hairpin check matched: the mark-for-masquerade rule
      masquerade = true;
      this.hairpin = true;
    }
    if (names !== null) {
      const name = names[slot - slot0];
      if (d.xtRecent) this.state.recent.set(name, clientIp, nowNs);
      else {
        walked++; // update @affinity-… { ip saddr }
        let set = this.state.nftAffinity.get(name);
        if (set === undefined) this.state.nftAffinity.set(name, (set = new Map()));
        set.set(clientIp, nowNs + timeoutNs);
      }
    }
    this.path = path;
    this.target = slot;
    this.record(walked, masquerade);
    return plan.targets[slot];
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
