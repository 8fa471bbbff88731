// The shared plan's counts for in-cluster and load-balancer traffic (chain-plan-shared.ts): per
// position, the KUBE-SERVICES rules before its "cluster IP" and first load-balancer IP rules, the
// filter KUBE-SERVICES rules before its REJECT/DROP, the KUBE-EXTERNAL-SERVICES rules before its
// load-balancer DROP, and the KUBE-PROXY-FIREWALL rules of the ports with source ranges. The
// counts leave out what depends on the node (an internal-policy-Local port's "cluster IP" rule or
// filter DROP, an external-policy-Local port's DROPs): the node part adds those (NodeChainPart).

import { type Cidr, parseCidr } from '../net/ipv4.js';
import type { ServicePortInfo } from './service-map.js';

/** How a position's rules depend on the node. */
export interface PortKind {
  readonly hasEndpoints: boolean;
  /** External policy Local with an endpoint somewhere. */
  readonly perNode: boolean;
  /** Internal policy Local with an endpoint somewhere. */
  readonly intPerNode: boolean;
}

export class InClusterAndLbCounts {
  readonly clusterIPBefore: Int32Array;
  readonly filterServicesBefore: Int32Array;
  readonly lbServicesBefore: Int32Array;
  readonly lbExternalServicesBefore: Int32Array;
  readonly proxyFirewallBefore: Int32Array;
  readonly sourceRanges: (Cidr[] | null)[];
  filterServicesRules = 0;
  proxyFirewallRules = 0;

  constructor(n: number) {
    this.clusterIPBefore = new Int32Array(n).fill(-1);
    this.filterServicesBefore = new Int32Array(n).fill(-1);
    this.lbServicesBefore = new Int32Array(n).fill(-1);
    this.lbExternalServicesBefore = new Int32Array(n).fill(-1);
    this.proxyFirewallBefore = new Int32Array(n).fill(-1);
    this.sourceRanges = new Array(n).fill(null);
  }

  /**
   * Position p's rules, given the shared KUBE-SERVICES and KUBE-EXTERNAL-SERVICES counts before
   * it; returns the shared "cluster IP" rules it adds to KUBE-SERVICES (0 or 1).
   */
  add(p: number, sp: ServicePortInfo, kind: PortKind, kubeServices: number, externalServices: number): number {
    const { hasEndpoints, perNode, intPerNode } = kind;
    let own = 0;
    // The "cluster IP" rule: node-independent unless internal policy Local (then the node adds it, or a filter DROP).
    if (hasEndpoints) {
      this.clusterIPBefore[p] = kubeServices;
      own = intPerNode ? 0 : 1;
    } else this.filterServicesBefore[p] = this.filterServicesRules++;
    if (intPerNode) this.filterServicesBefore[p] = this.filterServicesRules;
    const lbIPs = sp.loadBalancerIPs?.length ?? 0;
    if (lbIPs === 0) return own;
    if (hasEndpoints) this.lbServicesBefore[p] = kubeServices + own + sp.externalIPs.length;
    if (!hasEndpoints || perNode) this.lbExternalServicesBefore[p] = externalServices + sp.externalIPs.length;
    // nftables: usesFWChain := len(LoadBalancerVIPs) > 0 && len(LoadBalancerSourceRanges) > 0;
    // iptables: usesFWChain := hasEndpoints && … (both proxier.go).
    const ranges = (sp.loadBalancerSourceRanges ?? []).map((c) => parseCidr(c) as Cidr);
    if (ranges.length > 0) this.sourceRanges[p] = ranges;
    if (hasEndpoints && ranges.length > 0) {
      this.proxyFirewallBefore[p] = this.proxyFirewallRules;
      this.proxyFirewallRules += lbIPs;
    }
    return own;
  }
}
