// nftables mode compiled: NodePort dispatch through the `service-nodeports` verdict map, one
// `numgen random mod n` vmap per service chain, affinity in per-endpoint timeout sets
// (pkg/proxy/nftables/proxier.go). O(1) per packet; its modelled cost is a constant.

import { nftEndpointNameBase, nftServiceNameBase } from './chain-names.js';
import { planNodeChains, planSharedChains } from './chain-plan-shared.js';
import { AffinityNames, ChainWalk, type SharedChainTables, WalkPath, walkTo } from './chain-walk.js';
import { INT_LOCAL, type IptablesPlan, planIptables } from './iptables-plan.js';
import { NodeProxyState } from './node-state.js';
import type { PreviousShared } from './partial-sync.js';
import type { ServicePortInfo } from './service-map.js';
import { checkSharedOptions } from './shared-options.js';
import { type CompileOptions, type CostModel, type Destination, type NodeProxyTable, type ResolvedOptions, resolveOptions } from './types.js';

/**
 * What every node of `options.zone` shares; affinity lives in one nft timeout set per endpoint.
 * With `previous`, a partial sync: only the changed ports are compiled again.
 */
export function sharedNftables(servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}, previous?: PreviousShared<SharedChainTables>): SharedChainTables {
  const carried = previous === undefined ? undefined : { plan: previous.shared.plan, names: previous.shared.names, changed: previous.changed };
  const plan = planSharedChains(servicePorts, resolveOptions(options), carried);
  return { plan, names: new AffinityNames(plan, (sp, ep) => `affinity-${nftEndpointNameBase(sp, ep)}`, carried) };
}

export class NftablesTable implements NodeProxyTable {
  readonly mode = 'nftables' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  readonly lastReplyLost = false;
  /** Categorisation and positions shared with iptables: kube-proxy computes them the same way. */
  readonly shared: SharedChainTables;
  private readonly options: ResolvedOptions;
  private readonly walk: ChainWalk;
  private fullPlan: IptablesPlan | undefined;
  private lastTo: Destination = 'node-port';

  /** `shared`: the part compiled once for the snapshot's nodes (sharedNftables of these service ports); else its own. */
  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    costs: CostModel,
    options: CompileOptions = {},
    shared?: SharedChainTables,
  ) {
    this.options = resolveOptions(options);
    this.shared = shared ?? sharedNftables(servicePorts, options);
    if (this.shared.plan.servicePorts !== servicePorts) throw new Error('NftablesTable: the shared part was compiled from other service ports');
    checkSharedOptions('NftablesTable', this.shared.plan.options, this.options);
    const dialect = { linearDispatch: false, cascade: false, xtRecent: false, ruleNs: 0, fixedNs: costs.nftablesLookupNs };
    this.walk = new ChainWalk(this.shared, planNodeChains(this.shared.plan, nodeName, this.options.nodeIP), dialect, options.state ?? new NodeProxyState());
  }

  /** This node's whole layout, as the renderers read it; made when asked. */
  get plan(): IptablesPlan {
    this.fullPlan ??= planIptables(this.nodeName, this.servicePorts, this.options);
    return this.fullPlan;
  }

  servicePortForNodePort(nodePort: number): number {
    return this.walk.servicePortForNodePort(nodePort);
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number, _clientPort?: number, to: Destination = 'node-port'): number {
    const walk = this.walk;
    this.lastTo = to;
    const verdict = walkTo(walk, to, nodePort, clientIp, nowNs, random);
    this.lastRulesWalked = walk.rulesWalked;
    this.lastCostNs = walk.costNs;
    this.lastMasquerade = walk.masquerade;
    return verdict;
  }

  release(): void {}

  explain(): string[] {
    const walk = this.walk;
    if (walk.path === WalkPath.None) return [];
    if (walk.viaLoadBalancer) return this.explainLoadBalancer();
    if (this.lastTo === 'cluster-ip') return this.explainClusterIP();
    if (walk.localhost) return ['nat-output', 'services', 'vmap @service-nodeports (no match: ip daddr != 127.0.0.0/8)', 'filter-input nodeport-endpoints-check (no match: ip daddr != 127.0.0.0/8)'];
    const out = ['nat-prerouting', 'services', 'vmap @service-nodeports'];
    if (walk.path === WalkPath.NoRule) return [...out, 'filter-input nodeport-endpoints-check (no element)'];
    const sp = this.servicePorts[this.shared.plan.order[walk.position]];
    const base = nftServiceNameBase(sp);
    if (walk.path === WalkPath.Reject) return [...out, 'filter-input nodeport-endpoints-check', 'reject-chain'];
    out.push(`external-${base}`);
    if (walk.path === WalkPath.Drop) return [...out, 'filter-input nodeport-endpoints-check drop'];
    if (walk.path === WalkPath.Cluster || walk.path === WalkPath.LocalShortCircuit) out.push('mark-for-masquerade');
    out.push(walk.path === WalkPath.Local ? `local-${base}` : `service-${base}`);
    const ep = sp.endpoints[walk.endpoint];
    out.push(`endpoint-${nftEndpointNameBase(sp, ep)}`, `dnat to ${ep.key}`);
    return out;
  }

  /** The chains a packet to the load-balancer IP walked (ChainWalk.connectLoadBalancer). */
  private explainLoadBalancer(): string[] {
    const walk = this.walk;
    const out = ['filter-prerouting', 'firewall-check'];
    if (walk.path === WalkPath.NoRule) return [...out, 'nat-prerouting', 'services', 'filter-forward service-endpoints-check (no element)'];
    const sp = this.servicePorts[this.shared.plan.order[walk.position]];
    const base = nftServiceNameBase(sp);
    if (walk.viaFirewallChain) out.push(`firewall-${base}`);
    if (walk.path === WalkPath.SourceRangeDrop) return [...out, 'drop'];
    if (walk.path === WalkPath.Reject) return [...out, 'nat-prerouting', 'services', 'filter-forward service-endpoints-check', 'reject-chain'];
    out.push('nat-prerouting', 'services', 'vmap @service-ips', `external-${base}`);
    if (walk.path === WalkPath.Drop) return [...out, 'filter-forward service-endpoints-check drop'];
    if (walk.path === WalkPath.Cluster) out.push('mark-for-masquerade');
    out.push(walk.path === WalkPath.Local ? `local-${base}` : `service-${base}`);
    const ep = sp.endpoints[walk.endpoint];
    out.push(`endpoint-${nftEndpointNameBase(sp, ep)}`, `dnat to ${ep.key}`);
    return out;
  }

  /** The ClusterIP walk: the service-ips vmap, or filter's no-endpoint-services verdict. */
  private explainClusterIP(): string[] {
    const walk = this.walk;
    const out = ['services', 'vmap @service-ips'];
    const sp = walk.position >= 0 ? this.servicePorts[this.shared.plan.order[walk.position]] : undefined;
    if (sp === undefined || walk.path === WalkPath.NoRule) return [...out, 'service-endpoints-check (no element)'];
    if (walk.path === WalkPath.Reject) return [...out, 'service-endpoints-check', 'reject-chain'];
    if (walk.path === WalkPath.Drop) return [...out, 'service-endpoints-check drop'];
    const base = nftServiceNameBase(sp);
    out.push((this.shared.plan.flags[walk.position] & INT_LOCAL) !== 0 ? `local-${base}` : `service-${base}`);
    if (walk.clusterIPMasq) out.push('mark-for-masquerade');
    const ep = sp.endpoints[walk.endpoint];
    out.push(`endpoint-${nftEndpointNameBase(sp, ep)}`, `dnat to ${ep.key}`);
    return out;
  }
}
