// nftables mode compiled: NodePort dispatch through the `service-nodeports` verdict map, one
// `numgen random mod n` vmap per service chain, affinity in per-endpoint timeout sets
// (pkg/proxy/nftables/proxier.go). O(1) per packet; its modelled cost is a constant.

import { nftEndpointNameBase, nftServiceNameBase } from './chain-names.js';
import { planSharedChains } from './chain-plan-shared.js';
import { ChainWalkTable } from './chain-walk-table.js';
import { AffinityNames, type SharedChainTables, WalkPath } from './chain-walk.js';
import { INT_LOCAL } from './iptables-plan.js';
import type { PreviousShared } from './partial-sync.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type CostModel, type NodeProxyTable, resolveOptions } from './types.js';

/**
 * What every node of `options.zone` shares; affinity lives in one nft timeout set per endpoint.
 * With `previous`, a partial sync: only the changed ports are compiled again.
 */
export function sharedNftables(servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}, previous?: PreviousShared<SharedChainTables>): SharedChainTables {
  const carried = previous === undefined ? undefined : { plan: previous.shared.plan, names: previous.shared.names, changed: previous.changed };
  const plan = planSharedChains(servicePorts, resolveOptions(options), carried);
  return { plan, names: new AffinityNames(plan, (sp, ep) => `affinity-${nftEndpointNameBase(sp, ep)}`, carried) };
}

export class NftablesTable extends ChainWalkTable implements NodeProxyTable {
  readonly mode = 'nftables' as const;

  /** `shared`: the part compiled once for the snapshot's nodes (sharedNftables of these service ports); else its own. */
  constructor(nodeName: string, servicePorts: readonly ServicePortInfo[], costs: CostModel, options: CompileOptions = {}, shared?: SharedChainTables) {
    super(nodeName, servicePorts, shared ?? sharedNftables(servicePorts, options), options, { linearDispatch: false, cascade: false, xtRecent: false, ruleNs: 0, fixedNs: costs.nftablesLookupNs }, 'NftablesTable');
  }

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
