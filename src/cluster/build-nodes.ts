// The cluster's nodes: the input's Node objects as given; else a generated count (or named list);
// else the nodes the input's pods name. Nodes without an address get the next free one of the
// node range, counting up from its first host address (see address-ranges.ts for the default).

import type { Cidr } from '../net/ipv4.js';
import { formatIPv4 } from '../net/ipv4.js';
import type { DecodedManifests } from './decoded.js';
import { MAX_NODES, type Node } from './model.js';
import type { Issues } from './build-issues.js';

/** Generated nodes cycle through three zones, as a typical cloud region has. */
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
/** Shown by `get nodes` for generated nodes; the kube-proxy behaviour modelled is of about this release. */
export const GENERATED_KUBELET_VERSION = 'v1.33.0';

export type NodesOption = number | readonly { readonly name: string; readonly zone?: string }[];

type Wanted = Omit<Node, 'ip' | 'zone'> & { readonly ip?: string; readonly zone: string };

function wantedNodes(decoded: DecodedManifests, option: NodesOption | undefined, issues: Issues, notes: string[]): Wanted[] | undefined {
  if (decoded.nodes.length > 0) {
    if (option !== undefined) notes.push('the manifests list Nodes, so the nodes option is ignored');
    return decoded.nodes.map(({ source: _source, ...n }) => ({ ...n, zone: n.zone ?? '' }));
  }
  if (option !== undefined) {
    const given = typeof option === 'number' ? undefined : option;
    const count = typeof option === 'number' ? option : option.length;
    if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
      issues.add(undefined, undefined, 'nodes', `Invalid value: ${count}: expected between 1 and ${MAX_NODES} nodes`);
      return undefined;
    }
    return Array.from({ length: count }, (_, i) => ({
      name: given?.[i].name ?? (count === 1 ? 'minikube' : `node-${i + 1}`),
      zone: given?.[i].zone ?? ZONES[i % ZONES.length],
      ready: true,
      roles: count === 1 && given === undefined ? ['control-plane'] : [],
      kubeletVersion: GENERATED_KUBELET_VERSION,
    }));
  }
  // Pods exported from a real cluster name their nodes: those nodes are the cluster.
  const referenced = [...new Set(decoded.pods.flatMap((p) => (p.nodeName === undefined ? [] : [p.nodeName])))];
  const names = referenced.length > 0 ? referenced : ['minikube'];
  return names.map((name, i) => ({
    name,
    zone: ZONES[i % ZONES.length],
    ready: true,
    roles: name === 'minikube' ? ['control-plane'] : [],
    kubeletVersion: GENERATED_KUBELET_VERSION,
  }));
}

/** `firstIP`: where generated addresses start counting (a uint32 inside `nodeCidr`). */
export function buildNodes(decoded: DecodedManifests, option: NodesOption | undefined, nodeCidr: Cidr, firstIP: number, issues: Issues, notes: string[]): Node[] {
  const wanted = wantedNodes(decoded, option, issues, notes);
  if (wanted === undefined) return [];
  const names = new Set<string>();
  const ips = new Map<string, string>();
  for (const n of wanted) {
    if (names.has(n.name)) issues.add(undefined, `Node ${n.name}`, 'metadata.name', `Duplicate value: "${n.name}"`);
    names.add(n.name);
    if (n.ip === undefined) continue;
    const other = ips.get(n.ip);
    if (other !== undefined) issues.add(undefined, `Node ${n.name}`, 'status.addresses', `Duplicate value: "${n.ip}": also the InternalIP of Node ${other}`);
    else ips.set(n.ip, n.name);
  }
  let next = firstIP;
  const last = nodeCidr.base + nodeCidr.size - 1; // the broadcast address is never a host's
  return wanted.map((n) => {
    let ip = n.ip;
    if (ip === undefined) {
      while (ips.has(formatIPv4(next))) next++;
      if (next >= last) issues.add(undefined, `Node ${n.name}`, 'nodeCIDR', `${nodeCidr.text} has no address left for node ${n.name}`);
      ip = formatIPv4(next++);
    }
    const { ip: _ip, ...rest } = n;
    return { ...rest, ip };
  });
}
