// A firewall in front of the nodes' kube-proxy (nodes.firewall): a cloud security group or a host
// firewall that allows source CIDRs per destination port or port range. It sees a packet before
// kube-proxy does (a security group before the node; a host firewall's INPUT/FORWARD rules that
// kube-proxy's own chains do not bypass), and drops what it blocks silently, so the client's SYN
// goes unanswered and it retransmits until its connect timeout.
//
// The rule, as security groups and ufw/firewalld port rules read: a port no rule lists is open;
// once some rule lists a port, only sources inside a CIDR of a rule listing it pass.

import { type Cidr, parseCidr } from '../net/ipv4.js';

export interface FirewallAllow {
  /** A source block, e.g. 10.0.0.0/8. */
  readonly cidr: string;
  /** A port ("30080") or an inclusive range ("30000-32767"). */
  readonly ports: string;
}

export interface FirewallSpec {
  readonly allow: readonly FirewallAllow[];
  /** The nodes it guards by name; absent: every node. */
  readonly nodes?: readonly string[];
}

/** `80` or `30000-32767` → [low, high], or undefined when malformed (user input). */
export function parsePorts(text: string): readonly [number, number] | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (m === null) return undefined;
  const low = Number(m[1]);
  const high = m[2] === undefined ? low : Number(m[2]);
  return low >= 1 && low <= high && high <= 65_535 ? [low, high] : undefined;
}

/** The sources allowed to `port` (null: no rule lists it, so it is open). */
export function allowedSources(spec: FirewallSpec, port: number): Cidr[] | null {
  let listed = false;
  const cidrs: Cidr[] = [];
  for (const rule of spec.allow) {
    const range = parsePorts(rule.ports);
    if (range === undefined || port < range[0] || port > range[1]) continue;
    listed = true;
    const cidr = parseCidr(rule.cidr);
    if (cidr !== undefined) cidrs.push(cidr);
  }
  return listed ? cidrs : null;
}

/** The firewall compiled for one destination port: per node, whether a source passes. O(rules) per packet, no allocation. */
export class Firewall {
  /** Per node: 1 when the firewall guards it. */
  private readonly guarded: Uint8Array;
  private readonly allowed: Cidr[] | null;

  constructor(spec: FirewallSpec | null, nodeNames: readonly string[], port: number) {
    const names = spec?.nodes === undefined ? null : new Set(spec.nodes);
    this.guarded = Uint8Array.from(nodeNames, (n) => (spec !== null && (names === null || names.has(n)) ? 1 : 0));
    this.allowed = spec === null ? null : allowedSources(spec, port);
  }

  /** Whether a packet from `srcIp` to this port on `node` is dropped. */
  blocks(node: number, srcIp: number): boolean {
    const allowed = this.allowed;
    if (allowed === null || this.guarded[node] === 0) return false;
    for (let i = 0; i < allowed.length; i++) if (((srcIp & allowed[i].mask) >>> 0) === allowed[i].base) return false;
    return true;
  }
}

/** The annotation cloud load balancers read when spec.loadBalancerSourceRanges is empty. */
export const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/**
 * The sources a cloud load balancer admits (k8s.io/cloud-provider service helpers and
 * pkg/api/v1/service/util.go GetLoadBalancerSourceRanges): the spec field when set, else the
 * annotation's comma-separated list, else 0.0.0.0/0. kube-proxy reads only the spec field
 * (pkg/proxy/serviceport.go newBaseServiceInfo), so only the balancer in front applies the
 * annotation. Returns null for allow-all and for what does not parse (the cloud then refuses
 * to build the balancer, so no traffic is shaped by it).
 */
export function balancerSourceRanges(spec: readonly string[] | undefined, annotation: string | undefined): string[] | null {
  const raw = spec !== undefined && spec.length > 0 ? [...spec] : (annotation ?? '').trim() === '' ? [] : (annotation as string).split(',');
  const ranges = raw.map((r) => r.trim());
  if (ranges.length === 0 || ranges.some((r) => parseCidr(r) === undefined) || ranges.includes('0.0.0.0/0')) return null;
  return ranges;
}
