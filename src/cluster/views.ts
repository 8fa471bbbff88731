// kubectl's views of a cluster as pure string formatters: `get nodes|pods|svc|endpoints`
// (with -o wide) and `describe svc`, columns and wording as kubectl prints them.
// AGE is always `<unknown>`: the simulator has no clock, and kubectl prints exactly that for
// an object without a creationTimestamp.

import { slicesOf } from './endpoint-slices.js';
import type { Cluster, EndpointSlice, Service } from './model.js';
import { formatLabels } from './selector.js';
import { alignTabs, DESCRIBE, formatTable } from './tabwriter.js';

export const AGE = '<unknown>';

export interface ViewOptions {
  readonly wide?: boolean;
  /** Only this namespace (kubectl's default: `default`); ignored for nodes. */
  readonly namespace?: string;
  /** All namespaces, with a NAMESPACE column first (`-A`). */
  readonly allNamespaces?: boolean;
}

function inScope<T extends { readonly namespace: string }>(items: readonly T[], options: ViewOptions): readonly T[] {
  if (options.allNamespaces === true) return items;
  const namespace = options.namespace ?? 'default';
  return items.filter((i) => i.namespace === namespace);
}

function table(options: ViewOptions, header: string[], rows: { namespace?: string; cells: string[] }[], noun: string): string {
  if (rows.length === 0) {
    // kubectl writes this to stderr and nothing to stdout; callers get it as the text.
    return options.allNamespaces === true || noun === 'nodes' ? 'No resources found\n' : `No resources found in ${options.namespace ?? 'default'} namespace.\n`;
  }
  if (options.allNamespaces === true) return formatTable(['NAMESPACE', ...header], rows.map((r) => [r.namespace ?? '', ...r.cells]));
  return formatTable(header, rows.map((r) => r.cells));
}

export function getNodes(cluster: Cluster, options: ViewOptions = {}): string {
  const header = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'];
  if (options.wide === true) header.push('INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME');
  const rows = cluster.nodes.map((n) => {
    const roles = n.roles === undefined || n.roles.length === 0 ? '<none>' : n.roles.join(',');
    const cells = [n.name, n.ready ? 'Ready' : 'NotReady', roles, AGE, n.kubeletVersion ?? ''];
    if (options.wide === true) cells.push(n.ip, '<none>', '<unknown>', '<unknown>', '<unknown>');
    return { cells };
  });
  return table({ ...options, allNamespaces: false }, header, rows, 'nodes');
}

export function getPods(cluster: Cluster, options: ViewOptions = {}): string {
  const header = ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'];
  if (options.wide === true) header.push('IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES');
  const rows = inScope(cluster.pods, options).map((p) => {
    // The model keeps readiness per pod; a not-ready pod counts none of its containers ready.
    const total = p.containers.length;
    const cells = [p.name, `${p.ready ? total : 0}/${total}`, p.status ?? 'Running', String(p.restarts ?? 0), AGE];
    if (options.wide === true) cells.push(p.ip === '' ? '<none>' : p.ip, p.nodeName === '' ? '<none>' : p.nodeName, '<none>', '<none>');
    return { namespace: p.namespace, cells };
  });
  return table(options, header, rows, 'pods');
}

/** The PORT(S) column: `80:30080/TCP`, ports joined by commas. */
export const formatServicePorts = (service: Service): string =>
  service.ports.map((p) => (p.nodePort === undefined ? `${p.port}/${p.protocol}` : `${p.port}:${p.nodePort}/${p.protocol}`)).join(',');

function externalIP(service: Service): string {
  const ips = service.externalIPs.join(',');
  if (service.type === 'LoadBalancer') return ips === '' ? '<pending>' : ips;
  return ips === '' ? '<none>' : ips;
}

export function getServices(cluster: Cluster, options: ViewOptions = {}): string {
  const header = ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'];
  if (options.wide === true) header.push('SELECTOR');
  const rows = inScope(cluster.services, options).map((s) => {
    const cells = [s.name, s.type, s.clusterIP === '' ? '<none>' : s.clusterIP, externalIP(s), formatServicePorts(s), AGE];
    if (options.wide === true) cells.push(formatLabels(s.selector));
    return { namespace: s.namespace, cells };
  });
  return table(options, header, rows, 'services');
}

/** kubectl's truncation: at most three addresses, then ` + N more...`. */
const MAX_SHOWN = 3;

/**
 * ENDPOINTS of `get endpoints`, read from the v1 Endpoints object the controller mirrors:
 * ready addresses only, grouped by port set, addresses sorted as the controller sorts them.
 */
export function formatEndpointsColumn(slices: readonly EndpointSlice[]): string {
  const subsets = new Map<string, { ports: number[]; ips: Set<string> }>();
  for (const slice of slices) {
    const ready = slice.endpoints.filter((e) => e.ready);
    if (ready.length === 0) continue;
    const key = slice.ports.map((p) => `${p.name}/${p.protocol}/${p.port}`).join(',');
    let subset = subsets.get(key);
    if (subset === undefined) {
      subset = { ports: slice.ports.map((p) => p.port), ips: new Set() };
      subsets.set(key, subset);
    }
    for (const e of ready) subset.ips.add(e.ip);
  }
  if (subsets.size === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const subset of subsets.values()) {
    const ips = [...subset.ips].sort();
    const ports = subset.ports.length === 0 ? [undefined] : subset.ports;
    for (const port of ports) {
      count += ips.length;
      for (const ip of ips) {
        if (list.length === MAX_SHOWN) break;
        list.push(port === undefined ? ip : joinHostPort(ip, port));
      }
    }
  }
  const shown = list.join(',');
  return count > MAX_SHOWN ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}

const joinHostPort = (ip: string, port: number): string => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

export function getEndpoints(cluster: Cluster, options: ViewOptions = {}): string {
  // The Endpoints controller mirrors every service with a selector; selector-less ones only if slices exist.
  const rows = inScope(cluster.services, options)
    .filter((s) => s.selector !== null || slicesOf(cluster, s).length > 0)
    .map((s) => ({ namespace: s.namespace, cells: [s.name, formatEndpointsColumn(slicesOf(cluster, s)), AGE] }));
  return table(options, ['NAME', 'ENDPOINTS', 'AGE'], rows, 'endpoints');
}

/** describe's Endpoints line (formatEndpointSlices): ready endpoints of the named port, in slice order. */
export function formatDescribeEndpoints(slices: readonly EndpointSlice[], portName: string): string {
  if (slices.length === 0) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const slice of slices) {
    const ready = slice.endpoints.filter((e) => e.ready);
    if (slice.ports.length === 0) {
      // Headless services may have no ports; so may a placeholder slice.
      for (const e of ready) {
        count++;
        if (list.length < MAX_SHOWN) list.push(e.ip);
      }
      continue;
    }
    for (const port of slice.ports) {
      if (port.name !== portName) continue;
      for (const e of ready) {
        count++;
        if (list.length < MAX_SHOWN) list.push(joinHostPort(e.ip, port.port));
      }
    }
  }
  const shown = list.join(',');
  return count > MAX_SHOWN ? `${shown} + ${count - MAX_SHOWN} more...` : shown;
}

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
    // The apiserver defaults a single-family cluster's services to SingleStack.
    'IP Family Policy:\tSingleStack',
    `IP Families:\t${ipFamily}`,
    `IP:\t${s.clusterIP}`,
    `IPs:\t${s.clusterIP === '' ? '<none>' : s.clusterIP}`,
  ];
  if (s.externalIPs.length > 0) lines.push(`External IPs:\t${s.externalIPs.join(',')}`);
  for (const p of s.ports) {
    const portName = p.name === '' ? '<unset>' : p.name;
    lines.push(`Port:\t${portName}\t${p.port}/${p.protocol}`);
    lines.push(`TargetPort:\t${p.targetPort}/${p.protocol}`);
    if (p.nodePort !== undefined) lines.push(`NodePort:\t${portName}\t${p.nodePort}/${p.protocol}`);
    lines.push(`Endpoints:\t${formatDescribeEndpoints(slices, p.name)}`);
  }
  lines.push(`Session Affinity:\t${s.sessionAffinity}`);
  // The API sets externalTrafficPolicy only for services reachable from outside.
  if (s.type !== 'ClusterIP') lines.push(`External Traffic Policy:\t${s.externalTrafficPolicy}`);
  lines.push('Internal Traffic Policy:\tCluster');
  if (s.healthCheckNodePort !== undefined) lines.push(`HealthCheck NodePort:\t${s.healthCheckNodePort}`);
  lines.push('Events:\t<none>');
  return alignTabs(lines, DESCRIBE);
}
