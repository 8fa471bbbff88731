// kubectl get's tables as pure string formatters: `get nodes|pods|svc|endpoints|endpointslices|deploy` (with -o wide,
// --show-labels, -A), columns and wording as kubectl prints them.
// AGE counts from each object's creationTimestamp to the newest one in the input (or --now), so
// a dump prints the same table every time; an object without one shows `<unknown>`, as in kubectl.

import type { Cluster, EndpointSlice, Node, Pod, Service } from '../cluster/model.js';
import { formatLabels } from '../cluster/selector.js';
import { slicesOf } from '../cluster/endpoint-slices.js';
import { formatEndpointsColumn } from './endpoint-addresses.js';
import { itemsOf, labelsOf, namespaceOf, type ResourceItem, type ResourceType, SINGULAR } from './resources.js';
import { formatTable } from './tabwriter.js';
import { ageOf, newestTimestamp, UNKNOWN_AGE } from './age.js';
import { DEPLOYMENT_COLUMNS, ENDPOINT_SLICE_COLUMNS } from './more-columns.js';

export const AGE = UNKNOWN_AGE;

export interface TableOptions {
  readonly wide?: boolean;
  /** A NAMESPACE column first, for namespaced types (`-A`). */
  readonly allNamespaces?: boolean;
  /** A LABELS column last (`--show-labels`). */
  readonly showLabels?: boolean;
  /** NAME as `service/nginx`: kubectl does so when one output mixes several types. */
  readonly withType?: boolean;
  /** The moment AGE counts to, in ms since the epoch; default the input's newest creationTimestamp. */
  readonly now?: number;
}

export interface ViewOptions extends TableOptions {
  /** Only this namespace (kubectl's default: `default`); ignored for nodes. */
  readonly namespace?: string;
}

export interface Columns<T> {
  readonly header: readonly string[];
  readonly wideHeader: readonly string[];
  /** Every cell after NAME; `now` is the moment AGE counts to; `wide` for -o wide. */
  cells(object: T, cluster: Cluster, now: number | undefined, wide: boolean): string[];
  wideCells(object: T, cluster: Cluster): string[];
}

const NODE_COLUMNS: Columns<Node> = {
  header: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'],
  wideHeader: ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME'],
  cells: (n, _c, now) => [n.ready ? 'Ready' : 'NotReady', n.roles === undefined || n.roles.length === 0 ? '<none>' : n.roles.join(','), ageOf(n.createdAt, now), n.kubeletVersion ?? ''],
  wideCells: (n) => [n.ip, '<none>', n.osImage ?? '<unknown>', n.kernelVersion ?? '<unknown>', n.containerRuntime ?? '<unknown>'],
};

const POD_COLUMNS: Columns<Pod> = {
  header: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
  wideHeader: ['IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
  // The model keeps readiness per pod; a not-ready pod counts none of its containers ready.
  cells: (p, _c, now) => [`${p.ready ? p.containers.length : 0}/${p.containers.length}`, p.status ?? 'Running', String(p.restarts ?? 0), ageOf(p.createdAt, now)],
  wideCells: (p) => [p.ip === '' ? '<none>' : p.ip, p.nodeName === '' ? '<none>' : p.nodeName, '<none>', '<none>'],
};

/** The PORT(S) column: `80:30080/TCP`, ports joined by commas; `<none>` for a service without ports. */
export const formatServicePorts = (service: Service): string =>
  service.ports.length === 0 ? '<none>' : service.ports.map((p) => (p.nodePort === undefined ? `${p.port}/${p.protocol}` : `${p.port}:${p.nodePort}/${p.protocol}`)).join(',');

/** kubectl's loadBalancerWidth: a load balancer column wider than this is cut unless -o wide. */
const LOAD_BALANCER_WIDTH = 16;

/** EXTERNAL-IP as kubectl's getServiceExternalIP: the load balancer's ingress, then externalIPs; an ExternalName's name. */
export function externalIP(service: Service, wide = false): string {
  if (service.type === 'ExternalName') return service.externalName ?? '<none>';
  const ips = [...service.externalIPs];
  if (service.type === 'LoadBalancer') {
    let ingress = (service.loadBalancerIngress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((x) => x !== '').join(',');
    if (!wide && ingress.length > LOAD_BALANCER_WIDTH) ingress = `${ingress.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
    const all = [...(ingress === '' ? [] : [ingress]), ...ips].join(',');
    return all === '' ? '<pending>' : all;
  }
  return ips.length === 0 ? '<none>' : ips.join(',');
}

const SERVICE_COLUMNS: Columns<Service> = {
  header: ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE'],
  wideHeader: ['SELECTOR'],
  cells: (s, _c, now, wide) => [s.type, s.clusterIP === '' ? '<none>' : s.clusterIP, externalIP(s, wide), formatServicePorts(s), ageOf(s.createdAt, now)],
  wideCells: (s) => [formatLabels(s.selector)],
};

/** The Endpoints controller writes the service's primary address family only. */
const primaryFamilySlices = (s: Service, slices: readonly EndpointSlice[]): EndpointSlice[] => {
  const family = s.clusterIP.includes(':') ? 'IPv6' : 'IPv4';
  return slices.filter((slice) => (slice.addressType ?? 'IPv4') === family);
};

const ENDPOINTS_COLUMNS: Columns<Service> = {
  header: ['NAME', 'ENDPOINTS', 'AGE'],
  wideHeader: [],
  // The Endpoints object is as old as its service, give or take the controller's first sync.
  cells: (s, cluster, now) => [formatEndpointsColumn(primaryFamilySlices(s, slicesOf(cluster, s))), ageOf(s.createdAt, now)],
  wideCells: () => [],
};

/** Every cell after NAME, the wide ones included when asked. */
function cellsOf(item: ResourceItem, cluster: Cluster, wide: boolean, now: number | undefined): string[] {
  const pick = <T>(columns: Columns<T>, object: T): string[] => [...columns.cells(object, cluster, now, wide), ...(wide ? columns.wideCells(object, cluster) : [])];
  switch (item.type) {
    case 'nodes':
      return pick(NODE_COLUMNS, item.object);
    case 'pods':
      return pick(POD_COLUMNS, item.object);
    case 'services':
      return pick(SERVICE_COLUMNS, item.object);
    case 'endpoints':
      return pick(ENDPOINTS_COLUMNS, item.object);
    case 'endpointslices':
      return pick(ENDPOINT_SLICE_COLUMNS, item.object);
    case 'deployments':
      return pick(DEPLOYMENT_COLUMNS, item.object);
  }
}

const HEADERS: Readonly<Record<ResourceType, Pick<Columns<never>, 'header' | 'wideHeader'>>> = {
  nodes: NODE_COLUMNS,
  pods: POD_COLUMNS,
  services: SERVICE_COLUMNS,
  endpoints: ENDPOINTS_COLUMNS,
  endpointslices: ENDPOINT_SLICE_COLUMNS,
  deployments: DEPLOYMENT_COLUMNS,
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
  const now = options.now ?? newestTimestamp(cluster);
  const rows = items.map((item) => {
    if (item.type !== type) throw new Error(`formatGetTable: a ${item.type} item in a ${type} table`);
    const name = options.withType === true ? `${SINGULAR[type]}/${item.object.name}` : item.object.name;
    return [
      ...(namespaced ? [namespaceOf(item) ?? ''] : []),
      name,
      ...cellsOf(item, cluster, options.wide === true, now),
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
