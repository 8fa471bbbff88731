// iptables mode compiled: the positions and probabilities of the nat chains kube-proxy writes
// for one node, so a NodePort SYN is routed, and its rule walk counted, in O(1) per service.

import { usableEndpoints, type ServicePortInfo } from './service-map.js';
import { type CostModel, type NodeProxyTable, Verdict } from './types.js';
import { RecentLists } from './recent-lists.js';

/** `fmt.Sprintf("%0.10f", 1/n)` read back as the kernel's statistic match sees it. */
export const printedProbability = (n: number): string => (1 / n).toFixed(10);

interface CompiledPort {
  readonly sp: number;
  /** Rules walked before the service's own chain: KUBE-SERVICES, the jump, KUBE-NODEPORTS, EXT. */
  readonly rulesBeforeSvc: number;
  /** Endpoint indexes (into the snapshot) this node balances over: SVC for Cluster, SVL for Local. */
  readonly targets: Int32Array;
  /** Probability of the statistic rule at each position; the last is 1 (unconditional). */
  readonly probabilities: Float64Array;
  /** Rules of the SVC/SVL chain before the first affinity or statistic rule. */
  readonly chainPrefix: number;
  readonly masquerade: boolean;
  /** Local policy and no local endpoint: EXT falls through and the filter table drops. */
  readonly drop: boolean;
  readonly affinityTimeoutNs: number;
}

/** Rules in KUBE-EXT-*: Cluster = MARK-MASQ jump, the MARK rule inside it, the SVC jump. */
const EXT_RULES_CLUSTER = 3;
/** Local = pod short-circuit, masquerade LOCAL, route LOCAL, then the SVL jump when present. */
const EXT_RULES_LOCAL = 4;
/** KUBE-SEP-*: the hairpin masquerade check, then DNAT. */
const SEP_RULES = 2;
/** Per NodePort service port in KUBE-NODEPORTS: the 127.0.0.0/8 nfacct rule and the --dport rule. */
const NODEPORT_RULES_PER_PORT = 2;

export class IptablesTable implements NodeProxyTable {
  readonly mode = 'iptables' as const;
  lastRulesWalked = 0;
  lastCostNs = 0;
  lastMasquerade = false;
  private readonly byNodePort = new Int32Array(65_536).fill(-1);
  /** NodePorts of services without endpoints: KUBE-EXTERNAL-SERVICES REJECTs them. */
  private readonly rejected = new Uint8Array(65_536);
  private readonly compiled: (CompiledPort | null)[];
  private readonly affinity = new RecentLists();

  constructor(
    readonly nodeName: string,
    readonly servicePorts: readonly ServicePortInfo[],
    private readonly costs: CostModel,
  ) {
    // KUBE-SERVICES: one rule per service port with endpoints for its cluster IP and each
    // external IP; the KUBE-NODEPORTS jump is the last rule, so a NodePort SYN walks them all.
    let kubeServices = 1;
    for (const sp of servicePorts) {
      if (sp.endpoints.some((e) => e.ready || (e.serving && e.terminating))) kubeServices += 1 + sp.externalIPs.length;
    }
    // KUBE-NODEPORTS in the order `iptables-save` shows after kube-proxy's test sort: by name.
    const order = servicePorts
      .map((sp, i) => i)
      .filter((i) => servicePorts[i].nodePort > 0)
      .sort((a, b) => (servicePorts[a].name < servicePorts[b].name ? -1 : servicePorts[a].name > servicePorts[b].name ? 1 : 0));
    this.compiled = new Array(servicePorts.length).fill(null);
    let position = 0;
    for (const i of order) {
      const sp = servicePorts[i];
      const all = usableEndpoints(sp.endpoints, null);
      if (all.length === 0) {
        this.rejected[sp.nodePort] = 1; // REJECT in the filter table; no nat rule.
        continue;
      }
      const local = sp.externalTrafficPolicy === 'Local';
      const chosen = local ? usableEndpoints(sp.endpoints, nodeName) : all;
      const targets = Int32Array.from(chosen.map((e) => sp.endpoints.indexOf(e)));
      const n = targets.length;
      const probabilities = new Float64Array(n);
      for (let k = 0; k < n; k++) probabilities[k] = k === n - 1 ? 1 : Number(printedProbability(n - k));
      const extRules = local ? (n > 0 ? EXT_RULES_LOCAL : EXT_RULES_LOCAL - 1) : EXT_RULES_CLUSTER;
      this.compiled[i] = {
        sp: i,
        rulesBeforeSvc: kubeServices + NODEPORT_RULES_PER_PORT * (position + 1) + extRules,
        targets,
        probabilities,
        // KUBE-SVC opens with the cluster-IP masquerade rule; KUBE-SVL has none.
        chainPrefix: local ? 0 : 1,
        masquerade: !local,
        drop: local && n === 0,
        affinityTimeoutNs: sp.sessionAffinity === 'ClientIP' ? sp.sessionAffinityTimeoutS * 1e9 : 0,
      };
      this.byNodePort[sp.nodePort] = i;
      position++;
    }
  }

  servicePortForNodePort(nodePort: number): number {
    return this.byNodePort[nodePort];
  }

  connect(nodePort: number, clientIp: number, nowNs: number, random: () => number): number {
    const sp = this.byNodePort[nodePort];
    if (sp < 0) {
      this.record(0, false);
      return this.rejected[nodePort] === 1 ? Verdict.Reject : Verdict.NoService;
    }
    const c = this.compiled[sp] as CompiledPort;
    if (c.drop) {
      this.record(c.rulesBeforeSvc, false);
      return Verdict.Drop;
    }
    let walked = c.rulesBeforeSvc + c.chainPrefix;
    const n = c.targets.length;
    let pick = -1;
    if (c.affinityTimeoutNs > 0) {
      // One `recent --rcheck` rule per endpoint, in endpoint order, before the statistic rules.
      for (let k = 0; k < n; k++) {
        walked++;
        if (this.affinity.check(sp, c.targets[k], clientIp, nowNs, c.affinityTimeoutNs)) {
          pick = k;
          break;
        }
      }
    }
    if (pick < 0) {
      // One statistic rule per endpoint with probability 1/(n-k); each draws its own number.
      for (let k = 0; k < n; k++) {
        walked++;
        if (k === n - 1 || random() < c.probabilities[k]) {
          pick = k;
          break;
        }
      }
    }
    const ep = c.targets[pick];
    if (c.affinityTimeoutNs > 0) this.affinity.set(sp, ep, clientIp, nowNs);
    this.record(walked + SEP_RULES, c.masquerade);
    return ep;
  }

  private record(rules: number, masquerade: boolean): void {
    this.lastRulesWalked = rules;
    this.lastCostNs = rules * this.costs.iptablesRuleNs;
    this.lastMasquerade = masquerade;
  }
}
