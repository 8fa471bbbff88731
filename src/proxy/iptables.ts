// iptables mode compiled: a NodePort SYN routed through the node's nat chains in O(1) per
// service, with the rules it walks counted from positions the plan recorded.
//
// Counting convention (the naive walker in test/proxy counts the same way): every rule in a
// kube-proxy chain whose matches the kernel evaluates counts once, the matching rule included;
// jumping into a chain and falling off its end are free; the built-in chains' own rules
// (PREROUTING, INPUT) are not counted. A packet nat leaves untranslated then walks the filter
// table's KUBE-EXTERNAL-SERVICES up to its verdict (or to its end). The packet is an external
// client's: not --src-type LOCAL, destination a local node address other than 127.0.0.0/8.

import { iptablesEndpointChain, iptablesServiceChains } from './chain-names.js';
import { AFFINITY, EXT_LOCAL, type IptablesPlan, planIptables } from './iptables-plan.js';
import { cidrContains, parseCidr, type Cidr } from './ipv4.js';
import { NodeProxyState } from './node-state.js';
import { cascadePick } from './probability.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type CostModel, type NodeProxyTable, Verdict, resolveOptions } from './types.js';

/** KUBE-EXT-* for Cluster: the KUBE-MARK-MASQ jump, the MARK rule inside it, the SVC jump. */
const EXT_RULES_CLUSTER = 3;
/** KUBE-SEP-*: the hairpin `-s <ep> -j KUBE-MARK-MASQ` check, then DNAT. */
const SEP_RULES = 2;

/** How the last connect went, for explain(). */
const enum Path {
  None,
  NoRule,
  Reject,
  Drop,
  Cluster,
  Local,
  PodShortCircuit,
}

export class IptablesTable implements NodeProxyTable {
  readonly mode = 'iptables' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  readonly lastReplyLost = false;
  readonly plan: IptablesPlan;
  private readonly podCidr: Cidr | null;
  private readonly svcMasqRule: number;
  private readonly state: NodeProxyState;
  /** xt_recent list names (the KUBE-SEP chain names) per target slot; only for affinity ports. */
  private readonly recentNames = new Map<number, string[]>();
  private lastPath = Path.None;
  private lastPosition = -1;
  private lastTarget = -1;
  private lastHairpin = false;

  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    private readonly costs: CostModel,
    options: CompileOptions = {},
  ) {
    const resolved = resolveOptions(options);
    this.plan = planIptables(nodeName, servicePorts, resolved);
    this.podCidr = resolved.podCIDR === '' ? null : parseCidr(resolved.podCIDR);
    // KUBE-SVC opens with the "cluster IP" masquerade rule when a detector or masqueradeAll exists.
    this.svcMasqRule = resolved.masqueradeAll || this.podCidr !== null ? 1 : 0;
    this.state = options.state ?? new NodeProxyState();
    const { order, flags, clusterStart, localStart, localCount, targets } = this.plan;
    for (let p = 0; p < order.length; p++) {
      if ((flags[p] & AFFINITY) === 0) continue;
      const sp = servicePorts[order[p]];
      const end = localStart[p] + localCount[p];
      const names: string[] = [];
      for (let k = clusterStart[p]; k < end; k++) names.push(iptablesEndpointChain(sp, sp.endpoints[targets[k]]));
      this.recentNames.set(p, names);
    }
  }

  servicePortForNodePort(nodePort: number): number {
    const p = nodePort < this.plan.natByNodePort.length ? this.plan.natByNodePort[nodePort] : -1;
    if (p >= 0) return this.plan.order[p];
    const f = nodePort < this.plan.filterByNodePort.length ? this.plan.filterByNodePort[nodePort] : -1;
    return f >= 0 ? this.plan.order[f] : -1;
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const plan = this.plan;
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    this.lastPosition = p;
    this.lastHairpin = false;
    if (p < 0) {
      // No nat rule: all of KUBE-SERVICES and KUBE-NODEPORTS, then filter decides.
      const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
      this.lastPosition = f;
      const nat = plan.kubeServicesRules + plan.nodePortsRules;
      if (f >= 0) {
        this.lastPath = Path.Reject;
        this.record(nat + plan.externalServicesBefore[f] + 1, false);
        return Verdict.Reject;
      }
      this.lastPath = Path.NoRule;
      this.record(nat + plan.externalServicesRules, false);
      return Verdict.NoService;
    }
    const npEnd = plan.nodePortsBefore[p] + plan.nodePortRulesPerPort;
    let walked = plan.kubeServicesRules + npEnd;
    let start: number;
    let count: number;
    let masquerade: boolean;
    if ((plan.flags[p] & EXT_LOCAL) !== 0) {
      if (this.podCidr !== null) {
        walked++; // "pod traffic for ... external destinations" -s <podCIDR> -j KUBE-SVC
        if (cidrContains(this.podCidr, clientIp)) {
          return this.finish(p, Path.PodShortCircuit, walked + this.svcMasqRule, plan.clusterStart[p], plan.clusterCount[p], false, clientIp, nowNs, random);
        }
      }
      walked += 2; // "masquerade LOCAL traffic", "route LOCAL traffic": --src-type LOCAL fails
      if (plan.localCount[p] === 0) {
        // EXT has no final jump: back to the rest of KUBE-NODEPORTS, then the filter DROP.
        this.lastPath = Path.Drop;
        walked += plan.nodePortsRules - npEnd + plan.externalServicesBefore[p] + 1;
        this.record(walked, false);
        return Verdict.Drop;
      }
      walked++; // -j KUBE-SVL
      start = plan.localStart[p];
      count = plan.localCount[p];
      masquerade = false;
      return this.finish(p, Path.Local, walked, start, count, masquerade, clientIp, nowNs, random);
    }
    walked += EXT_RULES_CLUSTER + this.svcMasqRule;
    return this.finish(p, Path.Cluster, walked, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
  }

  /** The SVC/SVL chain from its affinity rules on, then the SEP chain. */
  private finish(
    p: number,
    path: Path,
    walkedBefore: number,
    start: number,
    n: number,
    masqueradeIn: boolean,
    clientIp: number,
    nowNs: number,
    random: () => number,
  ): number {
    const plan = this.plan;
    let walked = walkedBefore;
    let masquerade = masqueradeIn;
    let pick = -1;
    const affinity = (plan.flags[p] & AFFINITY) !== 0;
    const names = affinity ? (this.recentNames.get(p) as string[]) : null;
    const slot0 = plan.clusterStart[p];
    const sp = this.servicePorts[plan.order[p]];
    const timeoutNs = sp.sessionAffinityTimeoutS * 1e9;
    if (names !== null) {
      // One `recent --rcheck` rule per endpoint, in endpoint order, before the statistic rules.
      for (let k = 0; k < n; k++) {
        walked++;
        if (this.state.recent.check(names[start + k - slot0], clientIp, nowNs, timeoutNs)) {
          pick = k;
          break;
        }
      }
    }
    if (pick < 0) {
      // One statistic rule per endpoint with probability 1/(n-k); the last is unconditional, and
      // a lone endpoint's rule draws nothing.
      pick = n === 1 ? 0 : cascadePick(n, random());
      walked += pick + 1;
    }
    const slot = start + pick;
    walked += SEP_RULES;
    if (plan.targetIp[slot] === clientIp) {
      walked++; // the hairpin check matched: KUBE-MARK-MASQ's MARK rule
      masquerade = true;
      this.lastHairpin = true;
    }
    if (names !== null) this.state.recent.set(names[slot - slot0], clientIp, nowNs);
    this.lastPath = path;
    this.lastTarget = slot;
    this.record(walked, masquerade);
    return plan.targets[slot];
  }

  release(): void {}

  explain(): string[] {
    const plan = this.plan;
    const out: string[] = ['nat KUBE-SERVICES'];
    if (this.lastPath === Path.None) return [];
    out.push('nat KUBE-NODEPORTS');
    const p = this.lastPosition;
    if (this.lastPath === Path.NoRule) return [...out, 'filter KUBE-EXTERNAL-SERVICES (no rule)'];
    const sp = this.servicePorts[plan.order[p]];
    if (this.lastPath === Path.Reject) return [...out, `filter KUBE-EXTERNAL-SERVICES REJECT "${sp.name} has no endpoints"`];
    const chains = iptablesServiceChains(sp);
    out.push(`nat ${chains.ext}`);
    if (this.lastPath === Path.Drop) return [...out, `filter KUBE-EXTERNAL-SERVICES DROP "${sp.name} has no local endpoints"`];
    if (this.lastPath === Path.Cluster) out.push('nat KUBE-MARK-MASQ');
    out.push(`nat ${this.lastPath === Path.Local ? chains.svl : chains.svc}`);
    const ep = sp.endpoints[plan.targets[this.lastTarget]];
    out.push(`nat ${iptablesEndpointChain(sp, ep)}`);
    if (this.lastHairpin) out.push('nat KUBE-MARK-MASQ');
    out.push(`DNAT --to-destination ${ep.key}`);
    return out;
  }

  private record(rules: number, masquerade: boolean): void {
    this.lastRulesWalked = rules;
    this.lastCostNs = rules * this.costs.iptablesRuleNs;
    this.lastMasquerade = masquerade;
  }
}
