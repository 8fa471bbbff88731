// Manifests → Cluster: what the input gives is taken as is, what it lacks (nodes, pods of
// Deployments, IPs, clusterIPs, nodePorts, EndpointSlices) is generated deterministically from
// the cluster's address ranges (address-ranges.ts): set by the user, else read off the input's
// own addresses, else the defaults.

import { decodeManifests, type DecodedManifests, type DecodedService, type Source } from './decode.js';
import { deriveEndpointSlices } from './endpoint-slices.js';
import { type Cidr, parseCidr, parseIPv4 } from '../net/ipv4.js';
import type { ManifestDoc } from './manifest-doc.js';
import type { AddressRanges, Cluster, EndpointSlice, Pod, Service, ServicePort } from './model.js';
import { assignNodePorts, DEFAULT_NODE_PORT_RANGE, parsePortRange, type PortRange } from './node-ports.js';
import type { Placement } from './placement.js';
import { InputError, type InputIssue } from '../input/problems.js';
import { PodIndex } from './selector.js';
import {
  chooseRange, DEFAULT_FIRST_NODE_IP, DEFAULT_NODE_CIDR, DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR,
  ipv4Numbers, NODE_SUBNET_SIZE, type RangeName, WIDE_POD_CIDR,
} from './address-ranges.js';
import { Issues, objectName } from './build-issues.js';
import { buildNodes, type NodesOption } from './build-nodes.js';
import { buildPods } from './build-pods.js';
import { allocateClusterIPs, needsClusterIP } from './cluster-ips.js';
import { mirrorEndpoints } from './mirror-endpoints.js';

export { GENERATED_KUBELET_VERSION } from './build-nodes.js';

export interface ClusterOptions {
  /** Used only when the input has no Node objects. A count gives `node-1`, `node-2`, ... (one node: `minikube`). */
  readonly nodes?: NodesOption;
  readonly placement?: Placement;
  /** The nodes' network; default 192.168.0.0/16 from 192.168.49.2 (minikube's), or read off the input. */
  readonly nodeCidr?: string;
  /** kube-controller-manager --cluster-cidr; default 10.244.0.0/16, or read off the input's pod IPs. */
  readonly podCidr?: string;
  /** kube-apiserver --service-cluster-ip-range; default 10.96.0.0/12, or read off the input's cluster IPs. */
  readonly serviceCidr?: string;
  /** Default 30000-32767. */
  readonly nodePortRange?: string;
  /** Give NodePort services with externalTrafficPolicy Local a healthCheckNodePort (Kubernetes does not). */
  readonly allocateHealthCheckForNodePortLocal?: boolean;
}

export interface BuildResult {
  readonly cluster: Cluster;
  readonly notes: string[];
}

function cidrOption(issues: Issues, name: string, text: string | undefined): Cidr | undefined {
  if (text === undefined) return undefined;
  const cidr = parseCidr(text);
  if (cidr === undefined) issues.add(undefined, undefined, name, `Invalid value: "${text}": expected an IPv4 CIDR such as 10.96.0.0/12`);
  return cidr;
}

interface Ranges {
  readonly service: Cidr;
  readonly pod: Cidr;
  /** Index of the first node's /24 inside the pod range. */
  readonly podStart: number;
  readonly node: Cidr;
  readonly firstNodeIP: number;
  readonly nodePorts: PortRange;
  readonly inferred: RangeName[];
}

/** The ranges to allocate from; nodeCount is known only after the nodes are built, so pods are chosen later. */
function serviceAndNodeRanges(decoded: DecodedManifests, options: ClusterOptions, issues: Issues) {
  const setService = cidrOption(issues, 'serviceCIDR', options.serviceCidr);
  const setPod = cidrOption(issues, 'podCIDR', options.podCidr);
  const setNode = cidrOption(issues, 'nodeCIDR', options.nodeCidr);
  const rangeText = options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
  const nodePorts = parsePortRange(rangeText);
  if (nodePorts === undefined) issues.add(undefined, undefined, 'nodePortRange', `Invalid value: "${rangeText}": expected a port range such as 30000-32767`);
  if (issues.list.length > 0 || nodePorts === undefined) throw new InputError(issues.list);
  const wanted = decoded.services.filter(needsClusterIP).length;
  const givenServiceIPs = ipv4Numbers(decoded.services.filter((s) => s.type !== 'ExternalName').map((s) => s.clusterIP));
  // Room for the network, kubernetes and broadcast addresses, the given IPs and every one still to allocate.
  const service = chooseRange(setService, givenServiceIPs, parseCidr(DEFAULT_SERVICE_CIDR) as Cidr, (c) => c.size >= givenServiceIPs.length + wanted + 3);
  const node = chooseRange(setNode, ipv4Numbers(decoded.nodes.map((n) => n.ip)), parseCidr(DEFAULT_NODE_CIDR) as Cidr);
  const firstNodeIP = setNode === undefined && !node.inferred ? (parseIPv4(DEFAULT_FIRST_NODE_IP) as number) : node.cidr.base + 2;
  return { setPod, service, node, firstNodeIP, nodePorts };
}

function podRange(decoded: DecodedManifests, setPod: Cidr | undefined, nodeCount: number): { cidr: Cidr; start: number; inferred: boolean } {
  const podIPs = ipv4Numbers(decoded.pods.filter((p) => !p.hostNetwork).map((p) => p.ip));
  const fallback = parseCidr(DEFAULT_POD_CIDR) as Cidr;
  const chosen = chooseRange(setPod, podIPs, fallback);
  if (setPod !== undefined || chosen.inferred || nodeCount * NODE_SUBNET_SIZE <= fallback.size) return { ...chosen, start: 0 };
  const wide = parseCidr(WIDE_POD_CIDR) as Cidr;
  return { cidr: wide, start: (fallback.base - wide.base) / NODE_SUBNET_SIZE, inferred: false };
}

function buildServices(decoded: DecodedManifests, ips: readonly string[], assignments: ReturnType<typeof assignNodePorts>['assignments']): Service[] {
  return decoded.services.map((s, i) => {
    const assignment = assignments[i];
    // Built field by field: object rest and spread cost measurably at 100k services.
    const service: { -readonly [K in keyof Service]: Service[K] } = {
      namespace: s.namespace,
      name: s.name,
      type: s.type,
      clusterIP: ips[i],
      selector: s.selector,
      ports: s.ports.map((p, pi) => {
        const nodePort = assignment.nodePorts[pi];
        const port: { -readonly [K in keyof ServicePort]: ServicePort[K] } = { name: p.name, protocol: p.protocol, port: p.port, targetPort: p.targetPort };
        if (nodePort !== undefined) port.nodePort = nodePort;
        return port;
      }),
      externalTrafficPolicy: s.externalTrafficPolicy,
      sessionAffinity: s.sessionAffinity,
      sessionAffinityTimeoutS: s.sessionAffinityTimeoutS,
      externalIPs: s.externalIPs,
      labels: s.labels,
      annotations: s.annotations,
      ...(s.trafficDistribution === undefined ? {} : { trafficDistribution: s.trafficDistribution }),
    };
    if (assignment.healthCheckNodePort !== undefined) service.healthCheckNodePort = assignment.healthCheckNodePort;
    if (s.internalTrafficPolicy !== undefined) service.internalTrafficPolicy = s.internalTrafficPolicy;
    extraServiceFields(service, s, ips[i]);
    return service;
  });
}

/** The fields only real dumps carry, set only when present so generated services stay as small as before. */
function extraServiceFields(service: { -readonly [K in keyof Service]: Service[K] }, s: DecodedService, ip: string): void {
  if (s.externalName !== undefined) service.externalName = s.externalName;
  if (s.loadBalancerIngress.length > 0) service.loadBalancerIngress = s.loadBalancerIngress;
  if (s.loadBalancerSourceRanges !== undefined) service.loadBalancerSourceRanges = s.loadBalancerSourceRanges;
  if (s.clusterIPs.length > 1) service.clusterIPs = s.clusterIPs[0] === ip ? s.clusterIPs : [ip, ...s.clusterIPs.slice(1)];
  if (s.ipFamilies.length > 0) service.ipFamilies = s.ipFamilies;
  if (s.ipFamilyPolicy !== undefined) service.ipFamilyPolicy = s.ipFamilyPolicy;
  if (s.createdAt !== undefined) service.createdAt = s.createdAt;
}

function checkUniqueServices(decoded: DecodedManifests, issues: Issues): void {
  const seen = new Set<string>();
  for (const s of decoded.services) {
    const key = `${s.namespace}/${s.name}`;
    if (seen.has(key)) issues.add(s.source, objectName('Service', s), 'metadata.name', `Duplicate value: "${s.name}"`);
    seen.add(key);
  }
}

/** Like buildCluster, but allocation conflicts (nodePorts, clusterIPs) come back as issues instead of failing; for diagnosis. */
export function buildClusterLenient(docs: readonly ManifestDoc[], options: ClusterOptions = {}): BuildResult & { readonly allocationIssues: InputIssue[] } {
  const decoded = decodeManifests(docs);
  const notes = [...decoded.notes];
  const issues = new Issues();
  const { setPod, service, node, firstNodeIP, nodePorts } = serviceAndNodeRanges(decoded, options, issues);

  const nodes = buildNodes(decoded, options.nodes, node.cidr, firstNodeIP, issues, notes);
  if (issues.list.length > 0) throw new InputError(issues.list);
  const pod = podRange(decoded, setPod, nodes.length);
  const pods = buildPods(decoded, nodes, options.placement ?? 'spread', pod.cidr, pod.start, issues, notes);
  checkUniqueServices(decoded, issues);
  if (issues.list.length > 0) throw new InputError(issues.list);

  const allocation = new Issues();
  const ips = allocateClusterIPs(decoded.services, service.cidr, allocation);
  const { assignments, issues: portIssues } = assignNodePorts(decoded.services, {
    range: nodePorts,
    allocateHealthCheckForNodePortLocal: options.allocateHealthCheckForNodePortLocal ?? false,
  });
  for (const pi of portIssues) {
    const s = decoded.services[pi.service];
    allocation.add(s.source, objectName('Service', s), pi.path, pi.message);
  }
  const services = buildServices(decoded, ips, assignments);
  const endpointSlices = deriveSlices(decoded, services, pods, notes);
  const inferred: RangeName[] = [];
  if (service.inferred) inferred.push('serviceCIDR');
  if (pod.inferred) inferred.push('podCIDR');
  if (node.inferred) inferred.push('nodeCIDR');
  const ranges: AddressRanges = { serviceCIDR: service.cidr.text, podCIDR: pod.cidr.text, nodeCIDR: node.cidr.text, nodePortRange: nodePorts.text, inferred };
  const cluster: Cluster = { nodes, pods, deployments: decoded.deployments.map(stripSource), services, endpointSlices, ranges };
  return { cluster, notes, allocationIssues: allocation.list };
}

function stripSource<T extends { source: Source }>(o: T): Omit<T, 'source'> {
  const { source: _source, ...rest } = o;
  return rest;
}

/**
 * Input slices are kept; selector-less services with only v1 Endpoints get mirrored slices;
 * services with a selector and no input slice get derived ones.
 */
function deriveSlices(decoded: DecodedManifests, services: readonly Service[], pods: readonly Pod[], notes: string[]): EndpointSlice[] {
  const given: EndpointSlice[] = decoded.endpointSlices.map(stripSource);
  const taken = new Set(given.map((s) => `${s.namespace}/${s.name}`));
  const covered = new Set(given.map((s) => `${s.namespace}/${s.serviceName}`));
  const known = new Set(services.map((s) => `${s.namespace}/${s.name}`));
  for (const s of given) {
    if (!known.has(`${s.namespace}/${s.serviceName}`)) notes.push(`EndpointSlice ${s.namespace}/${s.name} names service ${s.serviceName}, which the manifests do not hold`);
  }
  given.push(...mirrorEndpoints(decoded.endpoints, services, covered, taken));
  const index = new PodIndex(pods);
  for (const service of services) {
    if (service.selector === null || service.type === 'ExternalName' || covered.has(`${service.namespace}/${service.name}`)) continue;
    for (const slice of deriveEndpointSlices(service, index.select(service.namespace, service.selector), taken)) given.push(slice);
  }
  return given;
}

/** Builds the cluster; any input or allocation problem is thrown as one InputError. */
export function buildCluster(docs: readonly ManifestDoc[], options: ClusterOptions = {}): BuildResult {
  const { cluster, notes, allocationIssues } = buildClusterLenient(docs, options);
  if (allocationIssues.length > 0) throw new InputError(allocationIssues);
  return { cluster, notes };
}
