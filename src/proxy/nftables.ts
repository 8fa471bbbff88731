// nftables mode compiled: NodePort dispatch through the `service-nodeports` verdict map, one
// `numgen random mod n` vmap per service chain, affinity in per-endpoint timeout sets
// (pkg/proxy/nftables/proxier.go). O(1) per packet; its modelled cost is a constant.

import { nftEndpointNameBase, nftServiceNameBase } from './chain-names.js';
import { AFFINITY, EXT_LOCAL, type IptablesPlan, planIptables } from './iptables-plan.js';
import { type Cidr, cidrContains, parseCidr } from './ipv4.js';
import { NodeProxyState } from './node-state.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, type CostModel, type NodeProxyTable, Verdict, resolveOptions } from './types.js';

const enum Path {
  None,
  NoElement,
  Reject,
  Drop,
  Cluster,
  Local,
  PodShortCircuit,
}

/** Rules of the `services` chain a NodePort packet evaluates: the service-ips vmap miss, the nodeports vmap hit. */
const SERVICES_RULES = 2;

export class NftablesTable implements NodeProxyTable {
  readonly mode = 'nftables' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  readonly lastReplyLost = false;
  /** Categorisation and positions shared with iptables: kube-proxy computes them the same way. */
  readonly plan: IptablesPlan;
  private readonly podCidr: Cidr | null;
  private readonly svcMasqRule: number;
  private readonly state: NodeProxyState;
  /** Affinity set names per target slot, only for ClientIP services. */
  private readonly affinitySets = new Map<number, string[]>();
  private lastPath = Path.None;
  private lastPosition = -1;
  private lastTarget = -1;

  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    private readonly costs: CostModel,
    options: CompileOptions = {},
  ) {
    const resolved = resolveOptions(options);
    this.plan = planIptables(nodeName, servicePorts, resolved);
    this.podCidr = resolved.podCIDR === '' ? null : parseCidr(resolved.podCIDR);
    this.svcMasqRule = resolved.masqueradeAll || this.podCidr !== null ? 1 : 0;
    this.state = options.state ?? new NodeProxyState();
    const { order, flags, clusterStart, localStart, localCount, targets } = this.plan;
    for (let p = 0; p < order.length; p++) {
      if ((flags[p] & AFFINITY) === 0) continue;
      const sp = servicePorts[order[p]];
      const names: string[] = [];
      for (let k = clusterStart[p]; k < localStart[p] + localCount[p]; k++) names.push(`affinity-${nftEndpointNameBase(sp, sp.endpoints[targets[k]])}`);
      this.affinitySets.set(p, names);
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
    const p = nodePort < plan.natByNodePort.length ? plan.natByNodePort[nodePort] : -1;
    this.lastPosition = p;
    if (p < 0) {
      // No vmap element: filter-input's no-endpoint-nodeports map decides (reject-chain or drop).
      const f = nodePort < plan.filterByNodePort.length ? plan.filterByNodePort[nodePort] : -1;
      this.lastPosition = f;
      this.lastPath = f >= 0 ? Path.Reject : Path.NoElement;
      this.record(SERVICES_RULES + 1, false);
      return f >= 0 ? Verdict.Reject : Verdict.NoService;
    }
    let walked = SERVICES_RULES;
    if ((plan.flags[p] & EXT_LOCAL) !== 0) {
      if (this.podCidr !== null) {
        walked++; // ip saddr <podCIDR> goto service-… comment "short-circuit pod traffic"
        if (cidrContains(this.podCidr, clientIp)) {
          return this.finish(p, Path.PodShortCircuit, walked + this.svcMasqRule, plan.clusterStart[p], plan.clusterCount[p], false, clientIp, nowNs, random);
        }
      }
      walked += 2; // fib saddr type local: masquerade, then short-circuit; both miss
      if (plan.localCount[p] === 0) {
        this.lastPath = Path.Drop;
        this.record(walked + 1, false); // + the no-endpoint-nodeports drop element
        return Verdict.Drop;
      }
      walked++; // goto local-…
      return this.finish(p, Path.Local, walked, plan.localStart[p], plan.localCount[p], false, clientIp, nowNs, random);
    }
    // jump mark-for-masquerade (+ its one rule), goto service-…, the service chain's ClusterIP rule.
    walked += 3 + this.svcMasqRule;
    return this.finish(p, Path.Cluster, walked, plan.clusterStart[p], plan.clusterCount[p], true, clientIp, nowNs, random);
  }

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
    const sets = (plan.flags[p] & AFFINITY) !== 0 ? (this.affinitySets.get(p) as string[]) : null;
    const slot0 = plan.clusterStart[p];
    if (sets !== null) {
      for (let k = 0; k < n; k++) {
        walked++; // ip saddr @affinity-… goto endpoint-…
        const set = this.state.nftAffinity.get(sets[start + k - slot0]);
        const expires = set?.get(clientIp);
        if (expires !== undefined && expires > nowNs) {
          pick = k;
          break;
        }
      }
    }
    if (pick < 0) {
      walked++;
      // nft_ng_random: reciprocal_scale(get_random_u32(), n), i.e. floor(u32 * n / 2^32).
      pick = Math.floor(random() * n);
    }
    const slot = start + pick;
    walked += 2; // ip saddr <ep> jump mark-for-masquerade; dnat
    if (plan.targetIp[slot] === clientIp) {
      walked++;
      masquerade = true;
    }
    if (sets !== null) {
      walked++; // update @affinity-… { ip saddr }
      const name = sets[slot - slot0];
      let set = this.state.nftAffinity.get(name);
      if (set === undefined) this.state.nftAffinity.set(name, (set = new Map()));
      set.set(clientIp, nowNs + this.servicePorts[plan.order[p]].sessionAffinityTimeoutS * 1e9);
    }
    this.lastPath = path;
    this.lastTarget = slot;
    this.record(walked, masquerade);
    return plan.targets[slot];
  }

  release(): void {}

  explain(): string[] {
    if (this.lastPath === Path.None) return [];
    const out = ['nat-prerouting', 'services', 'vmap @service-nodeports'];
    if (this.lastPath === Path.NoElement) return [...out, 'filter-input nodeport-endpoints-check (no element)'];
    const sp = this.servicePorts[this.plan.order[this.lastPosition]];
    const base = nftServiceNameBase(sp);
    if (this.lastPath === Path.Reject) return [...out, 'filter-input nodeport-endpoints-check', 'reject-chain'];
    out.push(`external-${base}`);
    if (this.lastPath === Path.Drop) return [...out, 'filter-input nodeport-endpoints-check drop'];
    if (this.lastPath === Path.Cluster) out.push('mark-for-masquerade');
    out.push(this.lastPath === Path.Local ? `local-${base}` : `service-${base}`);
    const ep = sp.endpoints[this.plan.targets[this.lastTarget]];
    out.push(`endpoint-${nftEndpointNameBase(sp, ep)}`, `dnat to ${ep.key}`);
    return out;
  }

  private record(rules: number, masquerade: boolean): void {
    this.lastRulesWalked = rules;
    this.lastCostNs = this.costs.nftablesLookupNs;
    this.lastMasquerade = masquerade;
  }
}
