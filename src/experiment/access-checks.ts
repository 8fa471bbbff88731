// How clients reach the target, checked against the cluster before any run: traffic.via
// load-balancer needs a LoadBalancer Service (its address read from status.loadBalancer.ingress,
// or given one as a cloud controller or MetalLB would), nodes.firewall names real nodes, and
// traffic.clientCIDRs hold every client.

import type { Cluster, Service } from '../cluster/model.js';
import type { InputIssue } from '../input/problems.js';
import { type Cidr, parseCidr } from '../net/ipv4.js';
import { clientCapacityProblem } from '../traffic/client-addresses.js';
import type { Experiment } from './schema.js';

/**
 * The address a LoadBalancer Service without an IPv4 ingress IP is given: the first host of
 * 198.51.100.0/24 (RFC 5737 TEST-NET-2), standing for the pool a cloud controller or MetalLB
 * (IPAddressPool) allocates from and writes into status.loadBalancer.ingress.
 */
export const GENERATED_LB_IP = '198.51.100.1';

/** The target as the run sees it: under via load-balancer, with an ingress IP (generated when absent). */
export function withLoadBalancerAddress(experiment: Experiment, target: Service): Service {
  if (experiment.traffic.via !== 'load-balancer') return target;
  const hasIPv4 = (target.loadBalancerIngress ?? []).some((i) => i.ip !== undefined && !i.ip.includes(':'));
  return hasIPv4 ? target : { ...target, loadBalancerIngress: [...(target.loadBalancerIngress ?? []), { ip: GENERATED_LB_IP }] };
}

/** traffic.via against the target's type (a cluster property: checked when the cluster is resolved). */
export function viaProblems(experiment: Experiment, target: Service): InputIssue[] {
  if (experiment.traffic.via !== 'load-balancer' || target.type === 'LoadBalancer') return [];
  return [{ path: 'traffic.via', message: `got "load-balancer", but the target ${target.namespace}/${target.name} is of type ${target.type}: expected a LoadBalancer Service` }];
}

/** nodes.firewall's node names and the client blocks' room, per sweep point (they may be swept). */
export function accessProblems(experiment: Experiment, cluster: Cluster): InputIssue[] {
  const problems: InputIssue[] = [];
  const names = new Set(cluster.nodes.map((n) => n.name));
  (experiment.nodes.firewall?.nodes ?? []).forEach((n, i) => {
    if (!names.has(n)) problems.push({ path: `nodes.firewall.nodes[${i}]`, message: `got "${n}", expected one of the cluster's nodes: ${[...names].join(', ')}` });
  });
  const cidrs = experiment.traffic.clientCIDRs.map((c) => parseCidr(c) as Cidr);
  const capacity = clientCapacityProblem(cidrs, experiment.traffic.clients);
  if (capacity !== null) problems.push({ path: 'traffic.clientCIDRs', message: `${capacity}: widen a block or add one, or lower traffic.clients` });
  return problems;
}
