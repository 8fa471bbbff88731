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
import { ChainWalk, WalkPath } from './chain-walk.js';
import { type IptablesPlan, planIptables } from './iptables-plan.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type CostModel, type Destination, type NodeProxyTable, resolveOptions } from './types.js';

export class IptablesTable implements NodeProxyTable {
  readonly mode = 'iptables' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  readonly lastReplyLost = false;
  readonly plan: IptablesPlan;
  private readonly walk: ChainWalk;

  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    costs: CostModel,
    options: CompileOptions = {},
  ) {
    this.plan = planIptables(nodeName, servicePorts, resolveOptions(options));
    const dialect = { linearDispatch: true, cascade: true, xtRecent: true, ruleNs: costs.iptablesRuleNs, fixedNs: 0 };
    // xt_recent lists are named after the KUBE-SEP chains.
    this.walk = new ChainWalk(this.plan, servicePorts, dialect, iptablesEndpointChain, options);
  }

  servicePortForNodePort(nodePort: number): number {
    return this.walk.servicePortForNodePort(nodePort);
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number, _clientPort?: number, to?: Destination): number {
    const walk = this.walk;
    const verdict = to === 'load-balancer-ip' ? walk.connectLoadBalancer(nodePort, clientIp, nowNs, random) : walk.connect(nodePort, clientIp, nowNs, random);
    this.lastRulesWalked = walk.rulesWalked;
    this.lastCostNs = walk.costNs;
    this.lastMasquerade = walk.masquerade;
    return verdict;
  }

  release(): void {}

  explain(): string[] {
    const { plan, walk } = this;
    if (walk.viaLoadBalancer) return this.explainLoadBalancer();
    const out: string[] = ['nat KUBE-SERVICES'];
    if (walk.path === WalkPath.None) return [];
    out.push('nat KUBE-NODEPORTS');
    if (walk.path === WalkPath.NoRule) return [...out, 'filter KUBE-EXTERNAL-SERVICES (no rule)'];
    const sp = this.servicePorts[plan.order[walk.position]];
    if (walk.path === WalkPath.Reject) return [...out, `filter KUBE-EXTERNAL-SERVICES REJECT "${sp.name} has no endpoints"`];
    const chains = iptablesServiceChains(sp);
    out.push(`nat ${chains.ext}`);
    if (walk.path === WalkPath.Drop) return [...out, `filter KUBE-EXTERNAL-SERVICES DROP "${sp.name} has no local endpoints"`];
    if (walk.path === WalkPath.Cluster) out.push('nat KUBE-MARK-MASQ');
    out.push(`nat ${walk.path === WalkPath.Local ? chains.svl : chains.svc}`);
    const ep = sp.endpoints[plan.targets[walk.target]];
    out.push(`nat ${iptablesEndpointChain(sp, ep)}`);
    if (walk.hairpin) out.push('nat KUBE-MARK-MASQ');
    out.push(`DNAT --to-destination ${ep.key}`);
    return out;
  }

  /** The chains a packet to the load-balancer IP walked (ChainWalk.connectLoadBalancer). */
  private explainLoadBalancer(): string[] {
    const { plan, walk } = this;
    const out = ['nat KUBE-SERVICES'];
    if (walk.path === WalkPath.NoRule) return [...out, 'filter KUBE-PROXY-FIREWALL', 'filter KUBE-EXTERNAL-SERVICES (no rule)'];
    const sp = this.servicePorts[plan.order[walk.position]];
    const chains = iptablesServiceChains(sp);
    if (walk.path === WalkPath.Reject) return [...out, `filter KUBE-EXTERNAL-SERVICES REJECT "${sp.name} has no endpoints"`];
    if (walk.viaFirewallChain) out.push(`nat ${chains.fw}`);
    if (walk.path === WalkPath.SourceRangeDrop) return [...out, `filter KUBE-PROXY-FIREWALL DROP "${sp.name} traffic not accepted by ${chains.fw}"`];
    out.push(`nat ${chains.ext}`);
    if (walk.path === WalkPath.Drop) {
      return [...out, walk.viaFirewallChain ? `filter KUBE-PROXY-FIREWALL DROP "${sp.name} traffic not accepted by ${chains.fw}"` : `filter KUBE-EXTERNAL-SERVICES DROP "${sp.name} has no local endpoints"`];
    }
    if (walk.path === WalkPath.Cluster) out.push('nat KUBE-MARK-MASQ');
    out.push(`nat ${walk.path === WalkPath.Local ? chains.svl : chains.svc}`);
    const ep = sp.endpoints[plan.targets[walk.target]];
    out.push(`nat ${iptablesEndpointChain(sp, ep)}`, `DNAT --to-destination ${ep.key}`);
    return out;
  }
}
