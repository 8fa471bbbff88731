// iptables mode compiled: a NodePort SYN routed through the node's nat chains in O(1) per
// service, with the rules it walks counted from positions the plan recorded.
//
// Counting convention (the naive walker in test/proxy counts the same way): every rule in a
// kube-proxy chain whose matches the kernel evaluates counts once, the matching rule included;
// jumping into a chain and falling off its end are free; the built-in chains' own rules
// (PREROUTING, INPUT) are not counted. A packet nat leaves untranslated then walks the filter
// table's KUBE-PROXY-FIREWALL (INPUT, FORWARD and OUTPUT jump to it first: proxier.go's
// iptablesJumpChains) and KUBE-EXTERNAL-SERVICES up to its verdict (or to its end). A packet to
// the ClusterIP that nat leaves alone walks filter KUBE-SERVICES instead of the latter. The source decides the external
// chain's short-circuits: a pod (the --cluster-cidr detector) or the node itself (its InternalIP
// or 127.0.0.0/8: --src-type LOCAL); anything else is an outside client's.

import { iptablesEndpointChain, iptablesServiceChains } from './chain-names.js';
import { planSharedChains } from './chain-plan-shared.js';
import { ChainWalkTable } from './chain-walk-table.js';
import { AffinityNames, type SharedChainTables, WalkPath } from './chain-walk.js';
import { INT_LOCAL } from './iptables-plan.js';
import type { PreviousShared } from './partial-sync.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type CostModel, type NodeProxyTable, resolveOptions } from './types.js';

/**
 * What every node of `options.zone` shares (xt_recent lists are named after the KUBE-SEP chains).
 * With `previous`, a partial sync: only the changed ports are compiled again.
 */
export function sharedIptables(servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}, previous?: PreviousShared<SharedChainTables>): SharedChainTables {
  const carried = previous === undefined ? undefined : { plan: previous.shared.plan, names: previous.shared.names, changed: previous.changed };
  const plan = planSharedChains(servicePorts, resolveOptions(options), carried);
  return { plan, names: new AffinityNames(plan, iptablesEndpointChain, carried) };
}

export class IptablesTable extends ChainWalkTable implements NodeProxyTable {
  readonly mode = 'iptables' as const;

  /** `shared`: the part compiled once for the snapshot's nodes (sharedIptables of these service ports); else its own. */
  constructor(nodeName: string, servicePorts: readonly ServicePortInfo[], costs: CostModel, options: CompileOptions = {}, shared?: SharedChainTables) {
    super(nodeName, servicePorts, shared ?? sharedIptables(servicePorts, options), options, { linearDispatch: true, cascade: true, xtRecent: true, ruleNs: costs.iptablesRuleNs, fixedNs: 0 }, 'IptablesTable');
  }

  explain(): string[] {
    const walk = this.walk;
    const plan = this.shared.plan;
    if (walk.viaLoadBalancer) return this.explainLoadBalancer();
    const out: string[] = ['nat KUBE-SERVICES'];
    if (walk.path === WalkPath.None) return [];
    if (walk.path === WalkPath.ClusterIP || (walk.localhost && !plan.options.localhostNodePorts) || this.clusterIPFiltered()) return this.explainOther(out);
    out.push(walk.localhost ? 'nat KUBE-NODEPORTS -d 127.0.0.0/8' : 'nat KUBE-NODEPORTS');
    if (walk.path === WalkPath.NoRule) return [...out, 'filter KUBE-EXTERNAL-SERVICES (no rule)'];
    const sp = this.servicePorts[plan.order[walk.position]];
    if (walk.path === WalkPath.Reject) return [...out, `filter KUBE-EXTERNAL-SERVICES REJECT "${sp.name} has no endpoints"`];
    const chains = iptablesServiceChains(sp);
    out.push(`nat ${chains.ext}`);
    if (walk.path === WalkPath.Drop) return [...out, `filter KUBE-EXTERNAL-SERVICES DROP "${sp.name} has no local endpoints"`];
    if (walk.path === WalkPath.Cluster || walk.path === WalkPath.LocalShortCircuit) out.push('nat KUBE-MARK-MASQ');
    out.push(`nat ${walk.path === WalkPath.Local ? chains.svl : chains.svc}`);
    return this.endpointTail(out, sp);
  }

  /** The chains a packet to the load-balancer IP walked (ChainWalk.connectLoadBalancer). */
  private explainLoadBalancer(): string[] {
    const walk = this.walk;
    const plan = this.shared.plan;
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
    return this.endpointTail(out, sp);
  }

  /** The last walk was a ClusterIP packet that the filter table stopped. */
  private clusterIPFiltered(): boolean {
    return this.lastTo === 'cluster-ip' && (this.walk.path === WalkPath.Drop || this.walk.path === WalkPath.Reject || this.walk.path === WalkPath.NoRule);
  }

  /** ClusterIP walks, and localhost packets the nat table leaves alone. */
  private explainOther(out: string[]): string[] {
    const walk = this.walk;
    const plan = this.shared.plan;
    const sp = walk.position >= 0 ? this.servicePorts[plan.order[walk.position]] : undefined;
    const filterChain = this.lastTo === 'cluster-ip' ? 'filter KUBE-SERVICES' : 'filter KUBE-EXTERNAL-SERVICES';
    if (sp === undefined || walk.path === WalkPath.NoRule) return [...out, `${filterChain} (no rule)`];
    if (walk.path === WalkPath.Reject) return [...out, `${filterChain} REJECT "${sp.name} has no endpoints"`];
    if (walk.path === WalkPath.Drop) return [...out, `${filterChain} DROP "${sp.name} has no local endpoints"`];
    const chains = iptablesServiceChains(sp);
    out.push(`nat ${(plan.flags[walk.position] & INT_LOCAL) !== 0 ? chains.svl : chains.svc}`);
    if (walk.clusterIPMasq) out.push('nat KUBE-MARK-MASQ');
    return this.endpointTail(out, sp);
  }

  /** The chosen endpoint's chain, its hairpin mark when the client is the endpoint, and the DNAT. */
  private endpointTail(out: string[], sp: ServicePortInfo): string[] {
    const ep = sp.endpoints[this.walk.endpoint];
    out.push(`nat ${iptablesEndpointChain(sp, ep)}`);
    if (this.walk.hairpin) out.push('nat KUBE-MARK-MASQ');
    out.push(`DNAT --to-destination ${ep.key}`);
    return out;
  }
}
