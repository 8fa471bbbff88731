// The layout of the chains kube-proxy's iptables mode writes for one node: which service ports
// get which chains, in which order, and how many rules stand before each one. The lookup table
// (iptables.ts) and the renderer (iptables-render.ts) both read this one plan, so the rules a
// user sees and the rules the simulator walks cannot drift apart.

import { IntList } from '../engine/typed-arrays.js';
import { EndpointCategories, categorizeEndpoints, externalPolicyLocal, internalPolicyLocal, isProxied } from './categorize.js';
import { type Cidr, cidrContains, ipv4ToUint32, parseCidr } from '../net/ipv4.js';
import type { ServicePortInfo } from './service-map.js';
import type { ResolvedOptions } from './types.js';

/** Flag bits per service port. */
export const HAS_ENDPOINTS = 1;
export const EXT_LOCAL = 2;
export const AFFINITY = 4;
/** internalTrafficPolicy Local: the ClusterIP rule jumps to KUBE-SVL (nftables: local-…), which holds the "cluster IP" masquerade rule. */
export const INT_LOCAL = 8;

export interface IptablesPlan {
  readonly nodeName: string;
  readonly options: ResolvedOptions;
  readonly servicePorts: readonly ServicePortInfo[];
  /**
   * Service-port indexes in the order kube-proxy writes them. kube-proxy iterates a Go map,
   * so a real node's order is random and changes per sync; the plan uses ServicePortName
   * order, the order kube-proxy's own tests sort to (sortIPTablesRules).
   */
  readonly order: Int32Array;
  /** Per position in `order`: flag bits. */
  readonly flags: Uint8Array;
  /** Per position: Cluster endpoints, as [start, start+count) into `targets`. */
  readonly clusterStart: Int32Array;
  readonly clusterCount: Int32Array;
  /** Per position: this node's Local endpoints (only for Local external policy). */
  readonly localStart: Int32Array;
  readonly localCount: Int32Array;
  /** Endpoint indexes into `servicePorts[sp].endpoints`, and each one's IP as uint32. */
  readonly targets: Int32Array;
  readonly targetIp: Uint32Array;
  /** nat KUBE-SERVICES rules, the final KUBE-NODEPORTS jump included. */
  readonly kubeServicesRules: number;
  /** Per position: nat KUBE-SERVICES rules before its "cluster IP" rule (-1: none, no internal endpoints). */
  readonly clusterIPBefore: Int32Array;
  /** Per position: filter KUBE-SERVICES rules before its ClusterIP REJECT/DROP rule (-1: none). */
  readonly filterServicesBefore: Int32Array;
  /** filter KUBE-SERVICES rules: one per service port with no internal endpoints. */
  readonly filterServicesRules: number;
  /** nat KUBE-NODEPORTS rules, and how many precede each position's rules (-1: none). */
  readonly nodePortsRules: number;
  readonly nodePortsBefore: Int32Array;
  /** nat KUBE-NODEPORTS rules per NodePort: the 127.0.0.0/8 nfacct rule (if enabled) + --dport. */
  readonly nodePortRulesPerPort: number;
  /** filter KUBE-EXTERNAL-SERVICES rules, and how many precede each position's NodePort rule. */
  readonly externalServicesRules: number;
  readonly externalServicesBefore: Int32Array;
  /** TCP nodePort → position with nat rules (service has endpoints somewhere), or -1. */
  readonly natByNodePort: Int32Array;
  /** TCP nodePort → position with a filter DROP/REJECT NodePort rule, or -1. */
  readonly filterByNodePort: Int32Array;
  /** Whether a local-traffic detector exists (--cluster-cidr); it adds the pod-traffic rules. */
  readonly hasLocalDetector: boolean;
  /** Load-balancer traffic: per position, the nat KUBE-SERVICES rules before its first load-balancer IP rule (-1: none). */
  readonly lbServicesBefore: Int32Array;
  /** Per position: filter KUBE-EXTERNAL-SERVICES rules before its first load-balancer IP rule (-1: none). */
  readonly lbExternalServicesBefore: Int32Array;
  /** filter KUBE-PROXY-FIREWALL rules, and how many precede each position's (-1: it writes none, i.e. iptables' usesFWChain is false). */
  readonly proxyFirewallRules: number;
  readonly proxyFirewallBefore: Int32Array;
  /**
   * Per position: its loadBalancerSourceRanges when it has a load-balancer IP and ranges (nftables'
   * usesFWChain, endpoints or not), else null. iptables also needs endpoints: `proxyFirewallBefore[p] >= 0`.
   */
  readonly sourceRanges: readonly (readonly Cidr[] | null)[];
  /** Per position with source ranges: one covers the node's IP, so the FW chain also accepts the LB IPs as sources (allowFromNode). */
  readonly allowFromNode: Uint8Array;
}

const byName = (sps: readonly ServicePortInfo[]) => (a: number, b: number): number =>
  sps[a].name < sps[b].name ? -1 : sps[a].name > sps[b].name ? 1 : sps[a].protocol < sps[b].protocol ? -1 : sps[a].protocol > sps[b].protocol ? 1 : 0;

/**
 * One node's whole plan, as its renderers (iptables-save, nft, `rules -o json`) print it. It runs
 * past 80 lines: one pass over the sorted ports fills every per-position count in the order
 * kube-proxy writes the rules, and splitting the pass would split that order. The walk uses the
 * shared plan and each node's own part instead (chain-plan-shared.ts, chain-plan-counts.ts).
 */
export function planIptables(nodeName: string, servicePorts: readonly ServicePortInfo[], options: ResolvedOptions): IptablesPlan {
  const idx: number[] = [];
  let maxNodePort = 65_535;
  for (let i = 0; i < servicePorts.length; i++) {
    if (!isProxied(servicePorts[i])) continue;
    idx.push(i);
    if (servicePorts[i].nodePort > maxNodePort) maxNodePort = servicePorts[i].nodePort;
  }
  idx.sort(byName(servicePorts));
  const n = idx.length;
  const order = Int32Array.from(idx);
  const flags = new Uint8Array(n);
  const clusterStart = new Int32Array(n);
  const clusterCount = new Int32Array(n);
  const localStart = new Int32Array(n);
  const localCount = new Int32Array(n);
  const nodePortsBefore = new Int32Array(n).fill(-1);
  const externalServicesBefore = new Int32Array(n).fill(-1);
  const clusterIPBefore = new Int32Array(n).fill(-1);
  const filterServicesBefore = new Int32Array(n).fill(-1);
  let filterServices = 0;
  // Sized by the largest nodePort: synthetic clusters beyond 2768 services use ports past 65535.
  const natByNodePort = new Int32Array(maxNodePort + 1).fill(-1);
  const filterByNodePort = new Int32Array(maxNodePort + 1).fill(-1);
  const targets = new IntList(Math.max(1024, n * 4));
  const perPort = options.localhostNodePorts ? 2 : 1;
  let kubeServices = 0;
  let nodePorts = 0;
  let externalServices = 0;
  const lbServicesBefore = new Int32Array(n).fill(-1);
  const lbExternalServicesBefore = new Int32Array(n).fill(-1);
  const proxyFirewallBefore = new Int32Array(n).fill(-1);
  const sourceRanges: (Cidr[] | null)[] = new Array(n).fill(null);
  const allowFromNode = new Uint8Array(n);
  const nodeIp = ipv4ToUint32(options.nodeIP);
  let proxyFirewall = 0;

  const cat = new EndpointCategories();
  for (let p = 0; p < n; p++) {
    const sp = servicePorts[order[p]];
    categorizeEndpoints(sp, nodeName, targets, cat, options.zone);
    clusterStart[p] = cat.clusterStart;
    clusterCount[p] = cat.clusterCount;
    localStart[p] = cat.localStart;
    localCount[p] = cat.localCount;
    const hasEndpoints = cat.hasAnyEndpoints;
    const extLocal = externalPolicyLocal(sp);
    const l = cat.localCount;
    flags[p] = (hasEndpoints ? HAS_ENDPOINTS : 0) | (extLocal ? EXT_LOCAL : 0) | (sp.sessionAffinity === 'ClientIP' ? AFFINITY : 0);
    const intLocal = internalPolicyLocal(sp);
    if (intLocal) flags[p] |= INT_LOCAL;
    const hasExternalEndpoints = hasEndpoints && (!extLocal || l > 0);
    // syncProxyRules: "internalTrafficPolicy is Local but there are no local endpoints. Traffic
    // to the clusterIP will be dropped" (a filter DROP; with no endpoints at all, REJECT).
    const hasInternalEndpoints = hasEndpoints && (!intLocal || l > 0);
    const tcp = sp.protocol === 'TCP';
    // Cluster IP, external IPs, then load balancer IPs: each one KUBE-SERVICES rule (proxier.go).
    const lbIPs = sp.loadBalancerIPs?.length ?? 0;
    if (hasInternalEndpoints) clusterIPBefore[p] = kubeServices++;
    else filterServicesBefore[p] = filterServices++;
    if (lbIPs > 0) {
      if (hasEndpoints) lbServicesBefore[p] = kubeServices + sp.externalIPs.length;
      if (!hasExternalEndpoints) lbExternalServicesBefore[p] = externalServices + sp.externalIPs.length;
      // nftables: usesFWChain := len(LoadBalancerVIPs) > 0 && len(LoadBalancerSourceRanges) > 0;
      // iptables: usesFWChain := hasEndpoints && … (both proxier.go).
      const ranges = (sp.loadBalancerSourceRanges ?? []).map((c) => parseCidr(c) as Cidr);
      if (ranges.length > 0) {
        sourceRanges[p] = ranges;
        allowFromNode[p] = ranges.some((c) => cidrContains(c, nodeIp)) ? 1 : 0;
      }
      if (hasEndpoints && ranges.length > 0) {
        proxyFirewallBefore[p] = proxyFirewall;
        proxyFirewall += lbIPs;
      }
    }
    if (hasEndpoints) kubeServices += sp.externalIPs.length + lbIPs;
    if (!hasExternalEndpoints) externalServices += sp.externalIPs.length + lbIPs;
    if (sp.nodePort > 0) {
      if (hasEndpoints) {
        nodePortsBefore[p] = nodePorts;
        nodePorts += perPort;
        if (tcp) natByNodePort[sp.nodePort] = p;
      }
      if (!hasExternalEndpoints) {
        externalServicesBefore[p] = externalServices;
        externalServices += 1;
        if (tcp) filterByNodePort[sp.nodePort] = p;
      }
    }
  }
  kubeServices += 1; // "kubernetes service nodeports; NOTE: this must be the last rule in this chain"

  const t = targets.done();
  const targetIp = new Uint32Array(t.length);
  for (let p = 0; p < n; p++) {
    const eps = servicePorts[order[p]].endpoints;
    const end = localStart[p] + localCount[p];
    for (let k = clusterStart[p]; k < end; k++) targetIp[k] = ipv4ToUint32(eps[t[k]].ip);
  }

  return {
    nodeName,
    options,
    servicePorts,
    order,
    flags,
    clusterStart,
    clusterCount,
    localStart,
    localCount,
    targets: t,
    targetIp,
    kubeServicesRules: kubeServices,
    clusterIPBefore,
    filterServicesBefore,
    filterServicesRules: filterServices,
    nodePortsRules: nodePorts,
    nodePortsBefore,
    nodePortRulesPerPort: perPort,
    externalServicesRules: externalServices,
    externalServicesBefore,
    natByNodePort,
    filterByNodePort,
    hasLocalDetector: options.podCIDR !== '',
    lbServicesBefore,
    lbExternalServicesBefore,
    proxyFirewallRules: proxyFirewall,
    proxyFirewallBefore,
    sourceRanges,
    allowFromNode,
  };
}
