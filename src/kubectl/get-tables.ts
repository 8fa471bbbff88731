// kubectl get's tables as pure string formatters: `get nodes|pods|svc|endpoints` (with -o wide),
// columns and wording as kubectl prints them.
// AGE is always `<unknown>`: the simulator has no clock, and kubectl prints exactly that for
// an object without a creationTimestamp.

import { slicesOf } from '../cluster/endpoint-slices.js';
import type { Cluster, Service } from '../cluster/model.js';
import { formatLabels } from '../cluster/selector.js';
import { formatEndpointsColumn } from './endpoint-addresses.js';
import { formatTable } from './tabwriter.js';

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

export function getEndpoints(cluster: Cluster, options: ViewOptions = {}): string {
  // The Endpoints controller mirrors every service with a selector; selector-less ones only if slices exist.
  const rows = inScope(cluster.services, options)
    .filter((s) => s.selector !== null || slicesOf(cluster, s).length > 0)
    .map((s) => ({ namespace: s.namespace, cells: [s.name, formatEndpointsColumn(slicesOf(cluster, s)), AGE] }));
  return table(options, ['NAME', 'ENDPOINTS', 'AGE'], rows, 'endpoints');
}
