// What `run` says before simulating: the faults `diagnose` finds in the target service, so a
// run that will fail every request is not mistaken for a surprise. Warnings only: the run goes on.

import { diagnoseCluster } from '../kubectl/diagnose.js';
import { firewallFindings } from '../kubectl/firewall-reach.js';
import { type Cidr, parseCidr } from '../net/ipv4.js';
import { buildServicePorts } from '../proxy/service-map.js';
import { clientBases } from '../traffic/client-addresses.js';
import { allowedSources } from '../traffic/firewall.js';
import type { ResolvedCluster } from './resolve.js';
import type { Experiment } from './schema.js';

/** Lines to print as warnings for the resolved cluster's target; one line when it has no endpoints at all. */
export function targetWarnings(resolved: ResolvedCluster): string[] {
  const target = resolved.targetService;
  const ports = buildServicePorts(resolved.cluster).filter((sp) => `${sp.namespace}/${sp.serviceName}` === target && sp.nodePort > 0);
  if (ports.length > 0 && ports.every((sp) => sp.endpoints.length === 0)) {
    // kube-proxy installs a REJECT rule for a service without endpoints (KUBE-EXTERNAL-SERVICES).
    return [`Service ${target} has no endpoints: every connection to nodePort ${ports.map((sp) => sp.nodePort).join(', ')} is refused`];
  }
  return diagnoseCluster(resolved.cluster)
    .filter((f) => f.severity === 'error' && f.object === `Service ${target}`)
    .map((f) => `${f.object}: ${f.message} (fix: ${f.fix})`);
}

/**
 * The firewall finding for one sweep point: whether the experiment's clients get through
 * nodes.firewall to the port they call (the nodePort, or the service port behind the
 * load-balancer address).
 */
export function firewallWarnings(experiment: Experiment, resolved: ResolvedCluster): string[] {
  const spec = experiment.nodes.firewall;
  if (spec === null) return [];
  const target = buildServicePorts(resolved.cluster).find(
    (sp) => `${sp.namespace}/${sp.serviceName}` === resolved.targetService && sp.nodePort > 0 && (resolved.targetPortName === undefined || sp.portName === resolved.targetPortName),
  );
  if (target === undefined) return [];
  const viaLb = experiment.traffic.via === 'load-balancer';
  const port = viaLb ? target.port : target.nodePort;
  const cidrs = experiment.traffic.clientCIDRs.map((c) => parseCidr(c) as Cidr);
  const bases = clientBases(cidrs);
  const k = bases.length;
  const n = experiment.traffic.clients;
  const clientRuns = bases.map((first, i) => [first, Math.floor(n / k) + (i < n % k ? 1 : 0)] as const);
  const findings = firewallFindings({
    destination: viaLb ? `${target.loadBalancerIPs?.[0] ?? ''}:${port}` : `nodePort ${port}`,
    port,
    nodes: spec.nodes ?? resolved.cluster.nodes.map((node) => node.name),
    allowed: allowedSources(spec, port),
    clientRuns,
  });
  return findings.map((f) => `${f.object}: ${f.message} (fix: ${f.fix})`);
}
