// Where each client sits and how its packets reach the node whose rules route them. External
// clients reach the node the ingress picks, one client→node hop away. Pod and host clients live
// on nodes of the cluster: their first packet enters their own node's netfilter (from the pod's
// veth through PREROUTING, or from a local process through OUTPUT), so there is no network hop to
// their own node, only the veth for a pod; a call to another node's address crosses one
// node→node hop first, untranslated (the own node has no rule for another node's address).

import type { Cluster } from '../cluster/model.js';
import { nodeSubnetBase } from '../cluster/address-ranges.js';
import { type Cidr, cidrContains, ipv4ToUint32, parseCidr, parseIPv4 } from '../net/ipv4.js';
import { DEFAULT_POD_CIDR, type Destination } from '../proxy/types.js';
import type { Clients } from '../traffic/clients.js';
import type { ClientDestination, TrafficSource } from '../traffic/sources.js';
import type { Network } from './network.js';

/**
 * Client pods per node: each client is a pod of its own while addresses last, taken from the top
 * of the node's pod subnet downwards (clear of the servers, allocated from .2 upwards); a quarter
 * of a /24, so more clients share these pods, as several processes of one pod would.
 */
export const CLIENT_PODS_PER_NODE = 64;

/** A host process calling 127.0.0.1 sends from 127.0.0.1 (the kernel picks the loopback address). */
const LOOPBACK = ipv4ToUint32('127.0.0.1');

/** What the node's table is asked for each destination. */
export function tableDestination(to: ClientDestination): Destination {
  return to === 'cluster-ip' ? 'cluster-ip' : to === 'localhost-node-port' ? 'localhost-node-port' : 'node-port';
}

export class ClientSources {
  readonly external: boolean;
  /** Where every connection's first packet is addressed, as the node's table reads it. */
  readonly to: Destination;
  private readonly pod: boolean;
  /** Per client: its node (in-cluster only). */
  private readonly home: Int32Array;
  /** Per client: the node whose rules route its connections (in-cluster only). */
  private readonly walkNodes: Int32Array;
  /** Per client: its source address (in-cluster only). */
  private readonly address: Uint32Array;

  constructor(
    traffic: { readonly source?: TrafficSource; readonly sourceNodes?: readonly string[]; readonly destination?: ClientDestination },
    cluster: Cluster,
    private readonly clients: Clients,
    private readonly network: Network,
  ) {
    const source = traffic.source ?? 'external';
    const destination = traffic.destination ?? 'node-port';
    this.external = source === 'external';
    this.pod = source === 'pod';
    this.to = tableDestination(destination);
    const n = this.external ? 0 : clients.count;
    this.home = new Int32Array(n);
    this.walkNodes = new Int32Array(n);
    this.address = new Uint32Array(n);
    if (this.external) return;
    const names = cluster.nodes.map((x) => x.name);
    const chosen = (traffic.sourceNodes ?? []).length > 0 ? (traffic.sourceNodes as readonly string[]).map((x) => names.indexOf(x)) : names.map((_, i) => i);
    if (chosen.some((i) => i < 0)) throw new Error(`ClientSources: sourceNodes ${traffic.sourceNodes?.join(', ')} not all among ${names.join(', ')}`);
    const pods = this.pod ? chosen.map((i) => clientPodAddresses(cluster, i)) : [];
    for (let c = 0; c < n; c++) {
      const k = c % chosen.length;
      const node = chosen[k];
      this.home[c] = node;
      this.walkNodes[c] = destination === 'node-port-other-node' ? (node + 1) % names.length : node;
      const slot = Math.floor(c / chosen.length);
      this.address[c] = this.pod ? pods[k][slot % pods[k].length] : destination === 'localhost-node-port' ? LOOPBACK : ipv4ToUint32(cluster.nodes[node].ip);
    }
  }

  /** The client's source address as the first node sees it. */
  ip(client: number): number {
    return this.external ? this.clients.ip(client) : this.address[client];
  }

  /** The client's own node, or -1 for an external client. */
  clientNode(client: number): number {
    return this.external ? -1 : this.home[client];
  }

  /** The node whose rules route an in-cluster client's new connection. */
  walkNode(client: number): number {
    return this.walkNodes[client];
  }

  /**
   * One-way delay between the client and `node`, either way: the client→node hop for an external
   * client; for a pod its veth (nodeToPod) plus a node→node hop when `node` is not its own; for a
   * host process only that node→node hop.
   */
  hopNs(client: number, node: number): number {
    if (this.external) return this.network.clientToNode();
    const home = this.home[client];
    let d = home === node ? 0 : this.network.nodeToNode(home, node);
    if (this.pod) d += this.network.nodeToPod();
    return d;
  }
}

/** Node `i`'s pod subnet: its spec.podCIDR, else the /24 its pods' addresses lie in, else the i-th /24 of the cluster's pod range. */
function podSubnet(cluster: Cluster, i: number): Cidr {
  const node = cluster.nodes[i];
  const own = node.podCIDR === undefined ? undefined : parseCidr(node.podCIDR);
  if (own !== undefined) return own;
  const range = parseCidr(cluster.ranges?.podCIDR ?? DEFAULT_POD_CIDR) as Cidr;
  for (const p of cluster.pods) {
    if (p.nodeName !== node.name || p.hostNetwork === true) continue;
    const ip = parseIPv4(p.ip);
    if (ip !== undefined && cidrContains(range, ip)) return parseCidr(`${formatSubnet(ip)}/24`) as Cidr;
  }
  const base = nodeSubnetBase(range, 0, i);
  if (base === undefined) throw new Error(`ClientSources: the pod range ${range.text} has no /24 for node ${node.name}`);
  return parseCidr(`${formatSubnet(base)}/24`) as Cidr;
}

const formatSubnet = (ip: number): string => `${(ip >>> 24) & 255}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.0`;

/** Up to CLIENT_PODS_PER_NODE free addresses of node `i`'s pod subnet, from the top down. */
function clientPodAddresses(cluster: Cluster, i: number): Uint32Array {
  const subnet = podSubnet(cluster, i);
  const used = new Set(cluster.pods.map((p) => parseIPv4(p.ip)));
  const out: number[] = [];
  // The last address of the subnet's first /24 is its broadcast address; .1 is the bridge.
  for (let a = subnet.base + Math.min(subnet.size, 256) - 2; a > subnet.base + 1 && out.length < CLIENT_PODS_PER_NODE; a--) if (!used.has(a)) out.push(a);
  if (out.length === 0) throw new Error(`ClientSources: no free address in ${subnet.text} for a client pod on ${cluster.nodes[i].name}`);
  return Uint32Array.from(out);
}
