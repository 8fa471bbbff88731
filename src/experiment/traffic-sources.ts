// The checks on where clients run that need a whole sweep point (the proxy mode and the source
// together) or the built cluster (node names): refused before the run, with the path at fault.

import type { Cluster } from '../cluster/model.js';
import { InputError, type InputIssue } from '../input/problems.js';
import { parseIPv4 } from '../net/ipv4.js';
import { destinationProblem } from '../traffic/sources.js';
import type { Experiment } from './schema.js';

const at = (params: Readonly<Record<string, unknown>>): string => (Object.keys(params).length > 0 ? ` at sweep point ${JSON.stringify(params)}` : '');

/** The source and destination pair has a path, and the proxy mode models it. */
export function checkTrafficSource(e: Experiment, params: Readonly<Record<string, unknown>>, file?: string): InputIssue[] {
  const { source, destination } = e.traffic;
  const problem = destinationProblem(source, destination);
  if (problem !== null) return [{ file, path: 'traffic.destination', message: `got ${destination}${at(params)}: ${problem}` }];
  if (source !== 'external' && e.traffic.via === 'load-balancer') {
    // The cloud's balancer stands outside the cluster; in-cluster clients call a node or the ClusterIP.
    return [{ file, path: 'traffic.via', message: `got load-balancer with traffic.source ${source}${at(params)}: the load balancer carries outside clients only; set traffic.source to external or traffic.via to node-port` }];
  }
  if (source !== 'external' && e.proxy.mode === 'ebpf') {
    // Cilium balances in-cluster clients in their own socket (socket-LB, connect() rewritten before
    // any packet), a path this model does not have; packet-level rules would misstate it.
    return [{ file, path: 'traffic.source', message: `got ${source} with proxy.mode ebpf${at(params)}: in-cluster clients are modelled for iptables, ipvs and nftables only` }];
  }
  return [];
}

/** traffic.sourceNodes names nodes of the cluster, and a call to another node has one to call. */
export function checkSourceNodes(e: Experiment, cluster: Cluster): void {
  if (e.traffic.source === 'external') return;
  const names = cluster.nodes.map((n) => n.name);
  const unknown = e.traffic.sourceNodes.filter((n) => !names.includes(n));
  if (unknown.length > 0) {
    throw new InputError([{ path: 'traffic.sourceNodes', message: `got ${unknown.join(', ')}, expected names of the cluster's nodes: ${names.join(', ')}` }]);
  }
  const chosen = e.traffic.sourceNodes.length > 0 ? cluster.nodes.filter((n) => e.traffic.sourceNodes.includes(n.name)) : cluster.nodes;
  const noIPv4 = chosen.filter((n) => parseIPv4(n.ip) === undefined);
  if (e.traffic.source === 'host' && noIPv4.length > 0) {
    throw new InputError([{ path: 'traffic.sourceNodes', message: `host clients send from their node's IPv4 InternalIP, which ${noIPv4.map((n) => `${n.name} (${n.ip || 'none'})`).join(', ')} lack: name other nodes` }]);
  }
  if (e.traffic.destination === 'node-port-other-node' && names.length < 2) {
    throw new InputError([{ path: 'traffic.destination', message: 'got node-port-other-node on a one-node cluster: there is no other node to call' }]);
  }
}
