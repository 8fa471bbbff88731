// What `run` says before simulating: the faults `diagnose` finds in the target service, so a
// run that will fail every request is not mistaken for a surprise. Warnings only: the run goes on.

import { diagnoseCluster } from '../kubectl/diagnose.js';
import { buildServicePorts } from '../proxy/service-map.js';
import type { ResolvedCluster } from './resolve.js';

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
