// What an iptables table and an nftables table have alike: a ChainWalk over the snapshot's
// shared plan and the node's own part, the same connect and release, and the node's whole plan
// made for the renderers when asked. Each mode adds its dialect and its explain().

import { planNodeChains } from './chain-plan-shared.js';
import { type ChainDialect, ChainWalk, type SharedChainTables, walkTo } from './chain-walk.js';
import { type IptablesPlan, planIptables } from './iptables-plan.js';
import { NodeProxyState } from './node-state.js';
import type { ServicePortInfo } from './service-map.js';
import { checkSharedOptions } from './shared-options.js';
import { type CompileOptions, type Destination, type ResolvedOptions, resolveOptions } from './types.js';

export abstract class ChainWalkTable {
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  readonly lastReplyLost = false;
  protected readonly options: ResolvedOptions;
  protected readonly walk: ChainWalk;
  /** Where the last connect was addressed: explain() tells a ClusterIP walk from a nodePort one by it. */
  protected lastTo: Destination = 'node-port';
  private fullPlan: IptablesPlan | undefined;

  protected constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    /** The part compiled once for the snapshot's nodes. */
    readonly shared: SharedChainTables,
    options: CompileOptions,
    dialect: ChainDialect,
    table: string,
  ) {
    this.options = resolveOptions(options);
    if (shared.plan.servicePorts !== servicePorts) throw new Error(`${table}: the shared part was compiled from other service ports`);
    checkSharedOptions(table, shared.plan.options, this.options);
    this.walk = new ChainWalk(shared, planNodeChains(shared.plan, nodeName, this.options.nodeIP), dialect, options.state ?? new NodeProxyState());
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
}
