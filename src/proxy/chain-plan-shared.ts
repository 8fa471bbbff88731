// The iptables/nftables layout split in two: what kube-proxy computes identically on every node
// (the dispatch positions, the Cluster endpoint lists, the rule counts of KUBE-SERVICES and
// KUBE-NODEPORTS), once per snapshot, and what differs per node (a Local-policy port's local
// endpoints; the rules their lack or presence adds: KUBE-EXTERNAL-SERVICES DROPs under external
// policy Local, the "cluster IP" rule or the filter KUBE-SERVICES DROP under internal policy
// Local; the node's address), per node. A node-dependent rule count is the shared count before
// a position plus the node's own extra count before it. The
// per-node plan the renderers read (iptables-plan.ts) is the two laid over each other; the
// differential tests hold the table walked from the split against the rules rendered from it.
// The cluster lists depend on the node's zone only through zone hints (CategorizeEndpoints'
// topologyModeFromHints), so nodes of one zone share a plan, and all nodes do when no endpoint
// carries a hint.

import { IntList } from '../engine/typed-arrays.js';
import { type Cidr, ipv4ToUint32, parseIPv4 } from '../net/ipv4.js';
import { EndpointCategories, categorizeEndpoints, externalPolicyLocal, internalPolicyLocal, isProxied } from './categorize.js';
import { InClusterAndLbCounts } from './chain-plan-counts.js';
import { AFFINITY, EXT_LOCAL, HAS_ENDPOINTS, INT_LOCAL } from './iptables-plan.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';
import type { ResolvedOptions } from './types.js';

/** The node-independent part: positions, Cluster lists and counts (field meanings as in IptablesPlan). */
export interface SharedChainPlan {
  readonly options: ResolvedOptions;
  readonly servicePorts: readonly ServicePortInfo[];
  readonly order: Int32Array;
  readonly flags: Uint8Array;
  readonly clusterStart: Int32Array;
  readonly clusterCount: Int32Array;
  readonly targets: Int32Array;
  readonly targetIp: Uint32Array;
  /** nat KUBE-SERVICES rules but the node-dependent "cluster IP" rules (internal policy Local, endpoints somewhere). */
  readonly kubeServicesRules: number;
  /** Per position: shared KUBE-SERVICES rules before its "cluster IP" rule (-1: no endpoints, so none). */
  readonly clusterIPBefore: Int32Array;
  /** Per position: shared filter KUBE-SERVICES rules before its REJECT (no endpoints) or possible DROP (internal policy Local) rule, else -1. */
  readonly filterServicesBefore: Int32Array;
  /** filter KUBE-SERVICES REJECT rules (the node-independent ones). */
  readonly filterServicesRules: number;
  /** Per position: shared KUBE-SERVICES rules before its first load-balancer IP rule (-1: none). */
  readonly lbServicesBefore: Int32Array;
  /** Per position: shared KUBE-EXTERNAL-SERVICES rules before its first LB IP rule, where it may have one (-1: never). */
  readonly lbExternalServicesBefore: Int32Array;
  /** filter KUBE-PROXY-FIREWALL rules (they depend on endpoints anywhere), and how many precede each position's (-1: none). */
  readonly proxyFirewallRules: number;
  readonly proxyFirewallBefore: Int32Array;
  /** Per position: its loadBalancerSourceRanges when it uses a FW chain, else null. */
  readonly sourceRanges: readonly (readonly Cidr[] | null)[];
  readonly nodePortsRules: number;
  readonly nodePortsBefore: Int32Array;
  readonly nodePortRulesPerPort: number;
  /** KUBE-EXTERNAL-SERVICES rules of the node-independent ports (Cluster policy, or no endpoint anywhere). */
  readonly externalServicesRules: number;
  /** Per position: those rules before its own NodePort rule (a Local port with endpoints: before it, plus its external and LB IPs). */
  readonly externalServicesBefore: Int32Array;
  readonly natByNodePort: Int32Array;
  /** Only node-independent ports: a Local port with endpoints always has a nat rule. */
  readonly filterByNodePort: Int32Array;
  readonly hasLocalDetector: boolean;
  /** Positions whose endpoints depend on the node: external or internal policy Local, and an endpoint somewhere. */
  readonly localPositions: Int32Array;
  /** Per position: how many of `localPositions` come before it (its own local index when it is one). */
  readonly localBefore: Int32Array;
}

/** One node's part: its local endpoints per local index, and the DROP rules the lack of them adds. */
export interface NodeChainPart {
  readonly nodeName: string;
  /** Per local index j (the port at `localPositions[j]`): [localStart, +localCount) into `targets`. */
  readonly localStart: Int32Array;
  readonly localCount: Int32Array;
  readonly targets: Int32Array;
  readonly targetIp: Uint32Array;
  /** KUBE-EXTERNAL-SERVICES rules the Local ports before local index j add on this node; [L] is their total. */
  readonly externalBefore: Int32Array;
  /** nat KUBE-SERVICES "cluster IP" rules the internal-policy-Local ports before local index j have on this node; [L] is their total. */
  readonly servicesBefore: Int32Array;
  /** filter KUBE-SERVICES DROP rules ("has no local endpoints") those ports add on this node; [L] is their total. */
  readonly filterServicesBefore: Int32Array;
  /** The node's InternalIP as uint32 (-1: no IPv4 address): `--src-type LOCAL`, and allowFromNode. */
  readonly nodeIp: number;
}

const byName = (sps: readonly ServicePortInfo[]) => (a: number, b: number): number =>
  sps[a].name < sps[b].name ? -1 : sps[a].name > sps[b].name ? 1 : sps[a].protocol < sps[b].protocol ? -1 : sps[a].protocol > sps[b].protocol ? 1 : 0;

/** Per position, each endpoint's IP as uint32 (for the hairpin check). */
function ipsOf(sps: readonly ServicePortInfo[], order: Int32Array, start: Int32Array, count: Int32Array, targets: Int32Array, positions?: Int32Array): Uint32Array {
  const ips = new Uint32Array(targets.length);
  for (let i = 0; i < start.length; i++) {
    const eps: readonly EndpointInfo[] = sps[order[positions === undefined ? i : positions[i]]].endpoints;
    for (let k = start[i]; k < start[i] + count[i]; k++) ips[k] = ipv4ToUint32(eps[targets[k]].ip);
  }
  return ips;
}

/**
 * A partial sync's starting point: the plan of the previous snapshot, which differs from this one
 * only in the endpoints of the service ports (indexes) in `changed` (partial-sync.ts checks it).
 */
export interface PreviousChainPlan {
  readonly plan: SharedChainPlan;
  readonly changed: ReadonlySet<number>;
}

/** Service-port indexes with rules, in ServicePortName order; and the largest nodePort (at least 65535). */
function orderOf(servicePorts: readonly ServicePortInfo[]): { order: Int32Array; maxNodePort: number } {
  const idx: number[] = [];
  let maxNodePort = 65_535;
  for (let i = 0; i < servicePorts.length; i++) {
    if (!isProxied(servicePorts[i])) continue;
    idx.push(i);
    if (servicePorts[i].nodePort > maxNodePort) maxNodePort = servicePorts[i].nodePort;
  }
  idx.sort(byName(servicePorts));
  return { order: Int32Array.from(idx), maxNodePort };
}

/**
 * Every node-independent part of planIptables' layout, for the nodes of `options.zone`. With
 * `previous`, only the changed ports are categorised again (kube-proxy's partial sync writes
 * only their chains); the unchanged ones' endpoint lists are copied and the positions kept, and
 * the dispatch counts are recounted, as a partial restore still rewrites the dispatch chains.
 * It runs past 80 lines on purpose: one pass over the ports in chain order, whose running rule
 * counts every position's before-counts read, so the loop stays whole.
 */
export function planSharedChains(servicePorts: readonly ServicePortInfo[], options: ResolvedOptions, previous?: PreviousChainPlan): SharedChainPlan {
  const { order, maxNodePort } = previous === undefined ? orderOf(servicePorts) : { order: previous.plan.order, maxNodePort: previous.plan.natByNodePort.length - 1 };
  const n = order.length;
  const prev = previous?.plan;
  const reuse = (p: number): boolean => prev !== undefined && !(previous as PreviousChainPlan).changed.has(order[p]);
  const flags = new Uint8Array(n);
  const clusterStart = new Int32Array(n);
  const clusterCount = new Int32Array(n);
  const nodePortsBefore = new Int32Array(n).fill(-1);
  const externalServicesBefore = new Int32Array(n).fill(-1);
  const localBefore = new Int32Array(n);
  const inCluster = new InClusterAndLbCounts(n);
  const natByNodePort = new Int32Array(maxNodePort + 1).fill(-1);
  const filterByNodePort = new Int32Array(maxNodePort + 1).fill(-1);
  const targets = new IntList(Math.max(1024, n * 4));
  /** Per position, where its cluster list starts in the previous plan's targets (-1: categorised anew). */
  const from = new Int32Array(n).fill(-1);
  const local: number[] = [];
  const perPort = options.localhostNodePorts ? 2 : 1;
  let kubeServices = 0;
  let nodePorts = 0;
  let externalServices = 0;

  // A node name no endpoint has: the local lists come out empty, and are the node part's business.
  const cat = new EndpointCategories();
  for (let p = 0; p < n; p++) {
    const sp = servicePorts[order[p]];
    let hasEndpoints: boolean;
    if (prev !== undefined && reuse(p)) {
      hasEndpoints = (prev.flags[p] & HAS_ENDPOINTS) !== 0;
      clusterStart[p] = targets.length;
      clusterCount[p] = prev.clusterCount[p];
      from[p] = prev.clusterStart[p];
      for (let k = prev.clusterStart[p]; k < prev.clusterStart[p] + prev.clusterCount[p]; k++) targets.push(prev.targets[k]);
    } else {
      categorizeEndpoints(sp, '', targets, cat, options.zone);
      clusterStart[p] = cat.clusterStart;
      clusterCount[p] = cat.clusterCount;
      // Without a cluster list (internal policy Local only) an endpoint anywhere still counts.
      hasEndpoints = cat.hasAnyEndpoints;
      // The local list categorizeEndpoints appended (endpoints without a node name) is not this part's.
      targets.length = cat.localStart;
    }
    const extLocal = externalPolicyLocal(sp);
    const intLocal = internalPolicyLocal(sp);
    flags[p] = (hasEndpoints ? HAS_ENDPOINTS : 0) | (extLocal ? EXT_LOCAL : 0) | (sp.sessionAffinity === 'ClientIP' ? AFFINITY : 0) | (intLocal ? INT_LOCAL : 0);
    const perNode = extLocal && hasEndpoints;
    const intPerNode = intLocal && hasEndpoints;
    localBefore[p] = local.length;
    if (perNode || intPerNode) local.push(p);
    const lbIPs = sp.loadBalancerIPs?.length ?? 0;
    kubeServices += inCluster.add(p, sp, { hasEndpoints, perNode, intPerNode }, kubeServices, externalServices);
    if (hasEndpoints) kubeServices += sp.externalIPs.length + lbIPs;
    // Which ports lack external endpoints: node-independent ones here, a Local port with endpoints per node.
    if (!hasEndpoints) externalServices += sp.externalIPs.length + lbIPs;
    if (sp.nodePort > 0) {
      if (hasEndpoints) {
        nodePortsBefore[p] = nodePorts;
        nodePorts += perPort;
        if (sp.protocol === 'TCP') natByNodePort[sp.nodePort] = p;
      }
      if (perNode) externalServicesBefore[p] = externalServices + sp.externalIPs.length + lbIPs;
      else if (!hasEndpoints) {
        externalServicesBefore[p] = externalServices;
        externalServices += 1;
        if (sp.protocol === 'TCP') filterByNodePort[sp.nodePort] = p;
      }
    }
  }
  kubeServices += 1; // "kubernetes service nodeports; NOTE: this must be the last rule in this chain"
  const t = targets.done();
  return {
    options,
    servicePorts,
    order,
    flags,
    clusterStart,
    clusterCount,
    targets: t,
    targetIp: prev === undefined ? ipsOf(servicePorts, order, clusterStart, clusterCount, t) : copyIps(prev, from, servicePorts, order, clusterStart, clusterCount, t),
    kubeServicesRules: kubeServices,
    clusterIPBefore: inCluster.clusterIPBefore,
    filterServicesBefore: inCluster.filterServicesBefore,
    filterServicesRules: inCluster.filterServicesRules,
    lbServicesBefore: inCluster.lbServicesBefore,
    lbExternalServicesBefore: inCluster.lbExternalServicesBefore,
    proxyFirewallRules: inCluster.proxyFirewallRules,
    proxyFirewallBefore: inCluster.proxyFirewallBefore,
    sourceRanges: inCluster.sourceRanges,
    nodePortsRules: nodePorts,
    nodePortsBefore,
    nodePortRulesPerPort: perPort,
    externalServicesRules: externalServices,
    externalServicesBefore,
    natByNodePort,
    filterByNodePort,
    hasLocalDetector: options.podCIDR !== '',
    localPositions: Int32Array.from(local),
    localBefore,
  };
}

/** The cluster lists' IPs: copied from the previous plan where the list was, parsed where it is new. */
function copyIps(prev: SharedChainPlan, from: Int32Array, sps: readonly ServicePortInfo[], order: Int32Array, start: Int32Array, count: Int32Array, targets: Int32Array): Uint32Array {
  const ips = new Uint32Array(targets.length);
  for (let p = 0; p < start.length; p++) {
    if (from[p] >= 0) ips.set(prev.targetIp.subarray(from[p], from[p] + count[p]), start[p]);
    else for (let k = start[p]; k < start[p] + count[p]; k++) ips[k] = ipv4ToUint32(sps[order[p]].endpoints[targets[k]].ip);
  }
  return ips;
}

/** `nodeName`'s part of the layout: CategorizeEndpoints' local list for each Local port with endpoints. */
export function planNodeChains(shared: SharedChainPlan, nodeName: string, nodeIP: string): NodeChainPart {
  const { localPositions, order, servicePorts } = shared;
  const l = localPositions.length;
  const localStart = new Int32Array(l);
  const localCount = new Int32Array(l);
  const externalBefore = new Int32Array(l + 1);
  const servicesBefore = new Int32Array(l + 1);
  const filterServicesBefore = new Int32Array(l + 1);
  const scratch = new IntList(64);
  const targets = new IntList(Math.max(16, l * 2));
  const cat = new EndpointCategories();
  let extra = 0;
  let services = 0;
  let filterServices = 0;
  for (let j = 0; j < l; j++) {
    const sp = servicePorts[order[localPositions[j]]];
    scratch.length = 0;
    categorizeEndpoints(sp, nodeName, scratch, cat, shared.options.zone);
    localStart[j] = targets.length;
    localCount[j] = cat.localCount;
    for (let k = cat.localStart; k < cat.localStart + cat.localCount; k++) targets.push(scratch.data[k]);
    externalBefore[j] = extra;
    servicesBefore[j] = services;
    filterServicesBefore[j] = filterServices;
    const flags = shared.flags[localPositions[j]];
    // No local endpoint: its external and LB IPs' DROP rules, then its NodePort's.
    if ((flags & EXT_LOCAL) !== 0 && cat.localCount === 0) extra += sp.externalIPs.length + (sp.loadBalancerIPs?.length ?? 0) + (sp.nodePort > 0 ? 1 : 0);
    // Internal policy Local: the "cluster IP" rule with a local endpoint, else the filter DROP.
    if ((flags & INT_LOCAL) !== 0) {
      if (cat.localCount > 0) services++;
      else filterServices++;
    }
  }
  externalBefore[l] = extra;
  servicesBefore[l] = services;
  filterServicesBefore[l] = filterServices;
  const t = targets.done();
  return { nodeName, localStart, localCount, targets: t, targetIp: ipsOf(servicePorts, order, localStart, localCount, t, localPositions),
    externalBefore,
    servicesBefore,
    filterServicesBefore,
    // A node whose InternalIP is no IPv4 address (an IPv6 node of a dump) has no IPv4 LOCAL source: -1 matches nothing.
    nodeIp: parseIPv4(nodeIP) ?? -1,
  };
}
