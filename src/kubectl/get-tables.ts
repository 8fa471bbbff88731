// kubectl get's tables as pure string formatters: `get nodes|pods|svc|endpoints` (with -o wide,
// --show-labels, -A), columns and wording as kubectl prints them.
// AGE is always `<unknown>`: the simulator has no clock, and kubectl prints exactly that for
// an object without a creationTimestamp.

import type { Cluster, Node, Pod, Service } from '../cluster/model.js';
import { formatLabels } from '../cluster/selector.js';
import { slicesOf } from '../cluster/endpoint-slices.js';
import { formatEndpointsColumn } from './endpoint-addresses.js';
import { itemsOf, labelsOf, namespaceOf, type ResourceItem, type ResourceType, SINGULAR } from './resources.js';
import { formatTable } from './tabwriter.js';

export const AGE = '<unknown>';

export interface TableOptions {
  readonly wide?: boolean;
  /** A NAMESPACE column first, for namespaced types (`-A`). */
  readonly allNamespaces?: boolean;
  /** A LABELS column last (`--show-labels`). */
  readonly showLabels?: boolean;
  /** NAME as `service/nginx`: kubectl does so when one output mixes several types. */
  readonly withType?: boolean;
}

export interface ViewOptions extends TableOptions {
  /** Only this namespace (kubectl's default: `default`); ignored for nodes. */
  readonly namespace?: string;
}

interface Columns<T> {
  readonly header: readonly string[];
  readonly wideHeader: readonly string[];
  /** Every cell after NAME. */
  cells(object: T, cluster: Cluster): string[];
  wideCells(object: T, cluster: Cluster): string[];
}

const NODE_COLUMNS: Columns<Node> = {
  header: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
  wideHeader: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
  cells: (n) => [n.ready ? 'Ready' : 'NotReady', n.roles === undefined || n.roles.length === 0 ? '<none>' : n.roles.join(','), AGE, n.kubeletVersion ?? ''],
  wideCells: (n) => [n.ip, '<none>', '<unknown>', '<unknown>', '<unknown>'],
};

const POD_COLUMNS: Columns<Pod> = {
  header: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideHeader: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  // The model keeps readiness per pod; a not-ready pod counts none of its containers ready.
  cells: (p) => [`${p.ready ? p.containers.length : 0}/${p.containers.length}`, p.status ?? 'Running', String(p.restarts ?? 0), AGE],
  wideCells: (p) => [p.ip === '' ? '<none>' : p.ip, p.nodeName === '' ? '<none>' : p.nodeName, '<none>', '<none>'],
};

/** The PORT(S) column: `80:30080/TCP`, ports joined by commas. */
export const formatServicePorts = (service: Service): string =>
  service.ports.map((p) => (p.nodePort === undefined ? `${p.port}/${p.protocol}` : `${p.port}:${p.nodePort}/${p.protocol}`)).join(',');

function externalIP(service: Service): string {
  const ips = service.externalIPs.join(',');
  if (service.type === 'LoadBalancer') return ips === '' ? '<pending>' : ips;
  return ips === '' ? '<none>' : ips;
}

const SERVICE_COLUMNS: Columns<Service> = {
  header: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  wideHeader: ['SELECTOR'],
  cells: (s) => [s.type, s.clusterIP === '' ? '<none>' : s.clusterIP, externalIP(s), formatServicePorts(s), AGE],
  wideCells: (s) => [formatLabels(s.selector)],
};

const ENDPOINTS_COLUMNS: Columns<Service> = {
  header: ['NAME', 'ENDPOINTS', 'AGE'],
  wideHeader: [],
  cells: (s, cluster) => [formatEndpointsColumn(slicesOf(cluster, s)), AGE],
  wideCells: () => [],
};

/** Every cell after NAME, the wide ones included when asked. */
function cellsOf(item: ResourceItem, cluster: Cluster, wide: boolean): string[] {
  const pick = <T>(columns: Columns<T>, object: T): string[] => [...columns.cells(object, cluster), ...(wide ? columns.wideCells(object, cluster) : [])];
  switch (item.type) {
    case 'nodes':
      return pick(NODE_COLUMNS, item.object);
    case 'pods':
      return pick(POD_COLUMNS, item.object);
    case 'services':
      return pick(SERVICE_COLUMNS, item.object);
    case 'endpoints':
      return pick(ENDPOINTS_COLUMNS, item.object);
  }
}

const HEADERS: Readonly<Record<ResourceType, Pick<Columns<never>, 'header' | 'wideHeader'>>> = {
  nodes: NODE_COLUMNS,
  pods: POD_COLUMNS,
  services: SERVICE_COLUMNS,
  endpoints: ENDPOINTS_COLUMNS,
};

/** One type's table; `items` are all of `type`. */
export function formatGetTable(cluster: Cluster, type: ResourceType, items: readonly ResourceItem[], options: TableOptions = {}): string {
  const { header, wideHeader } = HEADERS[type];
  const namespaced = options.allNamespaces === true && type !== 'nodes';
  const fullHeader = [
    ...(namespaced ? ['NAMESPACE'] : []),
    ...header,
    ...(options.wide === true ? wideHeader : []),
    ...(options.showLabels === true ? ['LABELS'] : []),
  ];
  const rows = items.map((item) => {
    if (item.type !== type) throw new Error(`formatGetTable: a ${item.type} item in a ${type} table`);
    const name = options.withType === true ? `${SINGULAR[type]}/${item.object.name}` : item.object.name;
    return [
      ...(namespaced ? [namespaceOf(item) ?? ''] : []),
      name,
      ...cellsOf(item, cluster, options.wide === true),
      ...(options.showLabels === true ? [formatLabels(labelsOf(item))] : []),
    ];
  });
  return formatTable(fullHeader, rows);
}

/** kubectl's words for an empty listing (written to stderr, nothing to stdout). */
export function noResourcesFound(options: ViewOptions, clusterScoped: boolean): string {
  return options.allNamespaces === true || clusterScoped ? 'No resources found\n' : `No resources found in ${options.namespace ?? 'default'} namespace.\n`;
}

/** The objects of `type` that a listing in `options`' namespace (or every one, -A) shows. */
export function inScope(cluster: Cluster, type: ResourceType, options: ViewOptions): ResourceItem[] {
  const items = itemsOf(cluster, type);
  if (options.allNamespaces === true || type === 'nodes') return items;
  const namespace = options.namespace ?? 'default';
  return items.filter((i) => namespaceOf(i) === namespace);
}

function view(type: ResourceType) {
  return (cluster: Cluster, options: ViewOptions = {}): string => {
    const items = inScope(cluster, type, options);
    return items.length === 0 ? noResourcesFound(options, type === 'nodes') : formatGetTable(cluster, type, items, options);
  };
}

export const getNodes = view('nodes');
export const getPods = view('pods');
export const getServices = view('services');
export const getEndpoints = view('endpoints');
