// The ranges a cluster allocates addresses from: as the user sets them, else as the input's own
// addresses show them, else the defaults. Addresses the input carries were allocated by a real
// control plane and are kept; only addresses the simulator hands out come from these ranges.

import { type Cidr, cidrContains, formatIPv4, parseCidr, parseIPv4 } from '../net/ipv4.js';

/** kube-apiserver --service-cluster-ip-range as kubeadm sets it. */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
/** kubeadm/minikube --pod-network-cidr (flannel's default). */
export const DEFAULT_POD_CIDR = '10.244.0.0/16';
/**
 * Generated nodes count up from 192.168.49.2, the first node of minikube's docker network, through
 * the rest of 192.168.0.0/16: room for Kubernetes' 5,000-node limit, and a small cluster's node
 * addresses are minikube's own.
 */
export const DEFAULT_NODE_CIDR = '192.168.0.0/16';
export const DEFAULT_FIRST_NODE_IP = '192.168.49.2';
/**
 * With the default pod range, a cluster of more than 256 nodes gets this wider block (it holds
 * 10.244.0.0/16, whose /24s stay the first nodes'), one /24 per node as kube-controller-manager's
 * --node-cidr-mask-size default gives: 8,192 nodes.
 */
export const WIDE_POD_CIDR = '10.224.0.0/11';
/** kube-controller-manager --node-cidr-mask-size default for IPv4: a /24 per node. */
export const NODE_SUBNET_SIZE = 256;

export type RangeName = 'serviceCIDR' | 'podCIDR' | 'nodeCIDR';

export interface ChosenRange {
  readonly cidr: Cidr;
  readonly inferred: boolean;
}

/** The smallest CIDR block holding every address (uint32s); undefined for none. */
export function smallestCidrHolding(addresses: readonly number[]): Cidr | undefined {
  if (addresses.length === 0) return undefined;
  let low = addresses[0];
  let high = addresses[0];
  for (const a of addresses) {
    if (a < low) low = a;
    if (a > high) high = a;
  }
  let prefix = 32;
  while (prefix > 0 && Math.floor(low / 2 ** (32 - prefix)) !== Math.floor(high / 2 ** (32 - prefix))) prefix--;
  const size = 2 ** (32 - prefix);
  return parseCidr(`${formatIPv4(Math.floor(low / size) * size)}/${prefix}`) as Cidr;
}

/** The block one bit wider, holding this one. */
export function widen(cidr: Cidr): Cidr {
  const prefix = cidr.prefix - 1;
  const size = 2 ** (32 - prefix);
  return parseCidr(`${formatIPv4(Math.floor(cidr.base / size) * size)}/${prefix}`) as Cidr;
}

/** IPv4 addresses among `texts` as uint32s; IPv6 and `None` are left out (the IPv4 proxier's view). */
export const ipv4Numbers = (texts: Iterable<string | undefined>): number[] => {
  const out: number[] = [];
  for (const t of texts) {
    const n = t === undefined ? undefined : parseIPv4(t);
    if (n !== undefined) out.push(n);
  }
  return out;
};

/**
 * The range to use: the one set; else the default when it holds every given address; else the
 * smallest block holding them, widened while `enough` says it is too small for what remains to
 * be allocated.
 */
export function chooseRange(set: Cidr | undefined, given: readonly number[], fallback: Cidr, enough: (c: Cidr) => boolean = () => true): ChosenRange {
  if (set !== undefined) return { cidr: set, inferred: false };
  if (given.every((a) => cidrContains(fallback, a))) return { cidr: fallback, inferred: false };
  let cidr = smallestCidrHolding(given) as Cidr;
  while (cidr.prefix > 0 && !enough(cidr)) cidr = widen(cidr);
  return { cidr, inferred: true };
}

/** Node i's pod subnet: the i-th /24 counted from `start` (a subnet index), wrapping inside the block. */
export function nodeSubnetBase(podCidr: Cidr, start: number, node: number): number | undefined {
  const subnets = Math.floor(podCidr.size / NODE_SUBNET_SIZE);
  if (node >= subnets) return undefined;
  return podCidr.base + ((start + node) % subnets) * NODE_SUBNET_SIZE;
}
