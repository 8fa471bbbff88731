// The NodePort walk iptables and nftables share: kube-proxy's nftables proxier writes the same
// chain structure as its iptables one (external chain, pod short-circuit, local or cluster
// service chain, per-endpoint affinity checks, then the endpoint chain's hairpin check and DNAT),
// so one walk counts both, and a small dialect says where the two differ: iptables walks its
// dispatch chains rule by rule and picks with a statistic cascade, nftables jumps through verdict
// maps and picks with `numgen random`. One class for both keeps the per-packet calls monomorphic.

import { type Cidr, cidrContains, parseCidr } from '../net/ipv4.js';
import type { NodeChainPart, SharedChainPlan } from './chain-plan-shared.js';
import { AFFINITY, EXT_LOCAL } from './iptables-plan.js';
import type { NodeProxyState } from './node-state.js';
import { cascadePick } from './probability.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';
import { type ResolvedOptions, Verdict } from './types.js';

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
}

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
  private readonly plan: SharedChainPlan;
  private readonly podCidr: Cidr | null;
  /** KUBE-SVC opens with the "cluster IP" masquerade rule when a detector or masqueradeAll exists. */
  private readonly svcMasqRule: number;

  constructor(
    private readonly shared: SharedChainTables,
    private readonly node: NodeChainPart,
    private readonly dialect: ChainDialect,
    private readonly state: NodeProxyState,
  ) {
    this.plan = shared.plan;
    this.podCidr = detectorCidr(this.plan.options);
    this.svcMasqRule = this.plan.options.masqueradeAll || this.podCidr !== null ? 1 : 0;
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

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const plan = this.plan;
    const linear = this.dialect.linearDispatch;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    this.position = p;
    this.hairpin = false;
    if (p < 0) {
      // No nat rule: iptables walks all of KUBE-SERVICES and KUBE-NODEPORTS, then filter decides;
      // nftables misses the vmap and filter-input's no-endpoint-nodeports map decides.
      const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
      this.position = f;
      this.path = f >= 0 ? WalkPath.Reject : WalkPath.NoRule;
      const nat = plan.kubeServicesRules + plan.nodePortsRules;
      const externalRules = plan.externalServicesRules + this.node.externalBefore[plan.localPositions.length];
      if (!linear) this.record(NFT_SERVICES_RULES + 1, false);
      else this.record(f >= 0 ? nat + this.externalBefore(f) + 1 : nat + externalRules, false);
      return f >= 0 ? Verdict.Reject : Verdict.NoService;
    }
    const npEnd = plan.nodePortsBefore[p] + plan.nodePortRulesPerPort;
    let walked = linear ? plan.kubeServicesRules + npEnd : NFT_SERVICES_RULES;
    if ((plan.flags[p] & EXT_LOCAL) !== 0) {
      if (this.podCidr !== null) {
        walked++; // "pod traffic for ... external destinations": -s <podCIDR> -j KUBE-SVC / goto service-…
        if (cidrContains(this.podCidr, clientIp)) {
          return this.finish(p, WalkPath.PodShortCircuit, walked + this.svcMasqRule, plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], false, clientIp, nowNs, random);
        }
      }
      walked += 2; // "masquerade LOCAL traffic", "route LOCAL traffic": --src-type LOCAL / fib saddr type local fail
      // A nat rule means an endpoint somewhere, so the port is one of the node's local ones.
      const j = plan.localBefore[p];
      const node = this.node;
      if (node.localCount[j] === 0) {
        // The external chain has no final jump. iptables: back to the rest of KUBE-NODEPORTS,
        // then the filter DROP; nftables: the no-endpoint-nodeports drop element.
        this.path = WalkPath.Drop;
        walked += linear ? plan.nodePortsRules - npEnd + this.externalBefore(p) + 1 : 1;
        this.record(walked, false);
        return Verdict.Drop;
      }
      walked++; // -j KUBE-SVL / goto local-…
      return this.finish(p, WalkPath.Local, walked, node.targets, node.targetIp, node.localStart[j], node.localCount[j], false, clientIp, nowNs, random);
    }
    walked += EXT_RULES_CLUSTER + this.svcMasqRule;
    return this.finish(p, WalkPath.Cluster, walked, plan.targets, plan.targetIp, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
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
