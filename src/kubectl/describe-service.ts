// `kubectl describe service NAME` as a pure string formatter, lines and wording as kubectl prints them.

import { slicesOf } from '../cluster/endpoint-slices.js';
import type { Cluster } from '../cluster/model.js';
import { formatLabels } from '../cluster/selector.js';
import { formatDescribeEndpoints } from './endpoint-addresses.js';
import { alignTabs, DESCRIBE } from './tabwriter.js';

function multiline(title: string, entries: readonly [string, string][], separator: string): string[] {
  if (entries.length === 0) return [`${title}:\t<none>`];
  return [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v], i) => `${i === 0 ? `${title}:` : ''}\t${k}${separator}${v}`);
}

/** `kubectl describe service NAME`; undefined when there is no such service. */
export function describeService(cluster: Cluster, name: string, namespace = 'default'): string | undefined {
  const s = cluster.services.find((x) => x.name === name && x.namespace === namespace);
  if (s === undefined) return undefined;
  const slices = slicesOf(cluster, s);
  const ipFamily = s.clusterIP.includes(':') ? 'IPv6' : 'IPv4';
  const lines = [
    `Name:\t${s.name}`,
    `Namespace:\t${s.namespace}`,
    ...multiline('Labels', Object.entries(s.labels ?? {}), '='),
    ...multiline('Annotations', Object.entries(s.annotations ?? {}), ': '),
    `Selector:\t${formatLabels(s.selector)}`,
    `Type:\t${s.type}`,
  ];
  // An ExternalName service has no cluster IP, so kubectl prints no address lines for it.
  if (s.type !== 'ExternalName') {
    lines.push(
      // The apiserver defaults a single-family cluster's services to SingleStack.
      `IP Family Policy:\t${s.ipFamilyPolicy ?? 'SingleStack'}`,
      `IP Families:\t${(s.ipFamilies ?? [ipFamily]).join(',')}`,
      `IP:\t${s.clusterIP}`,
      `IPs:\t${s.clusterIP === '' ? '<none>' : (s.clusterIPs ?? [s.clusterIP]).join(',')}`,
    );
  }
  if (s.externalIPs.length > 0) lines.push(`External IPs:\t${s.externalIPs.join(',')}`);
  if (s.externalName !== undefined) lines.push(`External Name:\t${s.externalName}`);
  const ingress = (s.loadBalancerIngress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((x) => x !== '');
  if (ingress.length > 0) lines.push(`LoadBalancer Ingress:\t${ingress.join(', ')}`);
  for (const p of s.ports) {
    const portName = p.name === '' ? '<unset>' : p.name;
    lines.push(`Port:\t${portName}\t${p.port}/${p.protocol}`);
    lines.push(`TargetPort:\t${p.targetPort}/${p.protocol}`);
    if (p.nodePort !== undefined) lines.push(`NodePort:\t${portName}\t${p.nodePort}/${p.protocol}`);
    lines.push(`Endpoints:\t${formatDescribeEndpoints(slices, p.name)}`);
  }
  lines.push(`Session Affinity:\t${s.sessionAffinity}`);
  // The API sets externalTrafficPolicy only for services reachable from outside.
  if (s.type === 'NodePort' || s.type === 'LoadBalancer') lines.push(`External Traffic Policy:\t${s.externalTrafficPolicy}`);
  lines.push(`Internal Traffic Policy:\t${s.internalTrafficPolicy ?? 'Cluster'}`);
  if (s.healthCheckNodePort !== undefined) lines.push(`HealthCheck NodePort:\t${s.healthCheckNodePort}`);
  lines.push('Events:\t<none>');
  return alignTabs(lines, DESCRIBE);
}
