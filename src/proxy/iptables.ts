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
import { planNodeChains, planSharedChains } from './chain-plan-shared.js';
import { AffinityNames, ChainWalk, type SharedChainTables, WalkPath } from './chain-walk.js';
import { type IptablesPlan, planIptables } from './iptables-plan.js';
import { NodeProxyState } from './node-state.js';
import type { PreviousShared } from './partial-sync.js';
import type { ServicePortInfo } from './service-map.js';
import { checkSharedOptions } from './shared-options.js';
import { type CompileOptions, type CostModel, type NodeProxyTable, type ResolvedOptions, resolveOptions } from './types.js';

/**
 * What every node of `options.zone` shares (xt_recent lists are named after the KUBE-SEP chains).
 * With `previous`, a partial sync: only the changed ports are compiled again.
 */
export function sharedIptables(servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}, previous?: PreviousShared<SharedChainTables>): SharedChainTables {
  const carried = previous === undefined ? undefined : { plan: previous.shared.plan, names: previous.shared.names, changed: previous.changed };
  const plan = planSharedChains(servicePorts, resolveOptions(options), carried);
  return { plan, names: new AffinityNames(plan, iptablesEndpointChain, carried) };
}

export class IptablesTable implements NodeProxyTable {
  readonly mode = 'iptables' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  readonly lastReplyLost = false;
  readonly shared: SharedChainTables;
  private readonly options: ResolvedOptions;
  private readonly walk: ChainWalk;
  private fullPlan: IptablesPlan | undefined;

  /** `shared`: the part compiled once for the snapshot's nodes (sharedIptables of these service ports); else its own. */
  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    costs: CostModel,
    options: CompileOptions = {},
    shared?: SharedChainTables,
  ) {
    this.options = resolveOptions(options);
    this.shared = shared ?? sharedIptables(servicePorts, options);
    if (this.shared.plan.servicePorts !== servicePorts) throw new Error('IptablesTable: the shared part was compiled from other service ports');
    checkSharedOptions('IptablesTable', this.shared.plan.options, this.options);
    const dialect = { linearDispatch: true, cascade: true, xtRecent: true, ruleNs: costs.iptablesRuleNs, fixedNs: 0 };
    this.walk = new ChainWalk(this.shared, planNodeChains(this.shared.plan, nodeName), dialect, options.state ?? new NodeProxyState());
  }

  /** This node's whole layout, as the renderers read it; made when asked. */
  get plan(): IptablesPlan {
    this.fullPlan ??= planIptables(this.nodeName, this.servicePorts, this.options);
    return this.fullPlan;
  }

  servicePortForNodePort(nodePort: number): number {
    return this.walk.servicePortForNodePort(nodePort);
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const walk = this.walk;
    const verdict = walk.connect(nodePort, clientIp, nowNs, random);
    this.lastRulesWalked = walk.rulesWalked;
    this.lastCostNs = walk.costNs;
    this.lastMasquerade = walk.masquerade;
    return verdict;
  }

  release(): void {}

  explain(): string[] {
    const walk = this.walk;
    const plan = this.shared.plan;
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
    const ep = sp.endpoints[walk.endpoint];
    out.push(`nat ${iptablesEndpointChain(sp, ep)}`);
    if (walk.hairpin) out.push('nat KUBE-MARK-MASQ');
    out.push(`DNAT --to-destination ${ep.key}`);
    return out;
  }
}
