// The cluster's pods: the input's as given, then the pods of Deployments the input holds no pods
// for. Only a hand-written pod is placed and addressed here; a pod from a live
// cluster keeps what its status says, so a Pending pod stays without node or address and is never
// routed to (a Running pod without an address can only be hand-written, so it gets one). Generated addresses come from the node's /24 of the pod range, .2 up (.1 is the
// node's bridge, as with kubenet/flannel), or from the node's own spec.podCIDR when it has one.

import { type Cidr, formatIPv4, parseCidr } from '../net/ipv4.js';
import { nodeSubnetBase } from './address-ranges.js';
import type { DecodedManifests, DecodedPod } from './decoded.js';
import type { Node, Pod } from './model.js';
import { type Placement, placeReplicas } from './placement.js';
import { type Issues, objectName } from './build-issues.js';
import { PodIndex } from './selector.js';

/** Hands out pod IPs per node from that node's subnet, skipping addresses already in use. */
class PodAddresses {
  private readonly next: number[];
  constructor(
    private readonly subnets: readonly (Cidr | undefined)[],
    private readonly used: Set<string>,
  ) {
    this.next = new Array<number>(subnets.length).fill(2);
  }
  take(node: number): string | undefined {
    const subnet = this.subnets[node];
    if (subnet === undefined) return undefined;
    while (this.next[node] < Math.min(subnet.size, 256) - 1) {
      const ip = formatIPv4(subnet.base + this.next[node]++);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }
}

function nodeSubnets(nodes: readonly Node[], podCidr: Cidr, start: number): (Cidr | undefined)[] {
  return nodes.map((n, i) => {
    const own = n.podCIDR === undefined ? undefined : parseCidr(n.podCIDR);
    if (own !== undefined) return own;
    const base = nodeSubnetBase(podCidr, start, i);
    return base === undefined ? undefined : parseCidr(`${formatIPv4(base)}/24`);
  });
}

/** A pod that holds an address no other running pod may hold: not host-network, not finished. */
const holdsOwnIP = (p: { hostNetwork?: boolean; phase?: string }): boolean => p.hostNetwork !== true && p.phase !== 'Succeeded' && p.phase !== 'Failed';

export function buildPods(decoded: DecodedManifests, nodes: readonly Node[], placement: Placement, podCidr: Cidr, podSubnetStart: number, issues: Issues, notes: string[]): Pod[] {
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));
  const podsOnNode = new Array<number>(nodes.length).fill(0);
  const used = new Set([...nodes.map((n) => n.ip), ...decoded.pods.flatMap((p) => (p.ip === undefined ? [] : [p.ip]))]);
  const addresses = new PodAddresses(nodeSubnets(nodes, podCidr, podSubnetStart), used);
  const noAddress = (node: Node) => `node ${node.name} has no pod address left in its /24 of ${podCidr.text}`;
  const pods: Pod[] = [];
  const names = new Set<string>();
  const owners = new Map<string, string>();
  let unscheduled = 0;

  const inputPod = (p: DecodedPod): void => {
    const object = objectName('Pod', p);
    if (names.has(`${p.namespace}/${p.name}`)) issues.add(p.source, object, 'metadata.name', `Duplicate value: "${p.name}"`);
    names.add(`${p.namespace}/${p.name}`);
    // A hand-written pod (no status, or Running without the fields a real one has) is placed and
    // addressed; a Pending, finished or unknown-phase pod keeps exactly what its status says.
    const live = p.phase !== undefined && p.phase !== 'Running';
    let node = p.nodeName === undefined ? (live ? undefined : unscheduled++ % nodes.length) : nodeIndex.get(p.nodeName);
    if (node === undefined && p.nodeName !== undefined) {
      issues.add(p.source, object, 'spec.nodeName', `Invalid value: "${p.nodeName}": no such node; nodes are ${nodes.map((n) => n.name).join(', ')}`);
      node = 0;
    }
    if (node !== undefined) podsOnNode[node] += 1;
    let ip = p.ip ?? (p.hostNetwork && node !== undefined ? nodes[node].ip : undefined);
    if (ip === undefined && !live && node !== undefined) {
      ip = addresses.take(node);
      if (ip === undefined) issues.add(p.source, object, 'status.podIP', noAddress(nodes[node]));
    }
    if (ip !== undefined && holdsOwnIP(p)) {
      const other = owners.get(ip);
      if (other !== undefined) issues.add(p.source, object, 'status.podIP', `Duplicate value: "${ip}": also the IP of running Pod ${other}`);
      owners.set(ip, `${p.namespace}/${p.name}`);
    }
    pods.push({
      namespace: p.namespace,
      name: p.name,
      labels: p.labels,
      nodeName: node === undefined ? '' : nodes[node].name,
      ip: ip ?? '',
      ready: p.ready && ip !== undefined,
      containers: p.containers,
      status: p.status,
      restarts: p.restarts,
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      ...(p.ownerKind === undefined ? {} : { ownerKind: p.ownerKind }),
      ...(p.ownerName === undefined ? {} : { ownerName: p.ownerName }),
      ...(p.phase === undefined ? {} : { phase: p.phase }),
      ...(p.createdAt === undefined ? {} : { createdAt: p.createdAt }),
    });
  };
  decoded.pods.forEach(inputPod);

  generateDeploymentPods(decoded, nodes, placement, podsOnNode, addresses, pods, issues, notes, noAddress);
  return pods;
}

/** The pods of each Deployment the input holds none for, placed and addressed here. */
function generateDeploymentPods(
  decoded: DecodedManifests,
  nodes: readonly Node[],
  placement: Placement,
  podsOnNode: number[],
  addresses: PodAddresses,
  pods: Pod[],
  issues: Issues,
  notes: string[],
  noAddress: (node: Node) => string,
): void {
  const inputIndex = new PodIndex(pods);
  const deployments = new Set<string>();
  for (const d of decoded.deployments) {
    const object = objectName('Deployment', d);
    if (deployments.has(`${d.namespace}/${d.name}`)) issues.add(d.source, object, 'metadata.name', `Duplicate value: "${d.name}"`);
    deployments.add(`${d.namespace}/${d.name}`);
    if (inputIndex.select(d.namespace, d.selector).length > 0) {
      notes.push(`${object}: the manifests already hold its pods, so none are generated`);
      continue;
    }
    const placed = placeReplicas(d.replicas, placement, podsOnNode);
    if (typeof placed === 'string') {
      issues.add(d.source, object, 'placement', placed);
      continue;
    }
    placed.forEach((node, i) => {
      const ip = addresses.take(node);
      if (ip === undefined) issues.add(d.source, object, 'spec.replicas', noAddress(nodes[node]));
      pods.push({
        namespace: d.namespace,
        name: `${d.name}-${i}`,
        labels: d.templateLabels,
        nodeName: nodes[node].name,
        ip: ip ?? '',
        ready: true,
        containers: d.containers,
        owner: d.name,
        status: 'Running',
        restarts: 0,
      });
    });
  }
}
