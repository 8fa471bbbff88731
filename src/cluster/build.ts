// Manifests → Cluster: what the input gives is taken as is, what it lacks (nodes, pods of
// Deployments, IPs, clusterIPs, nodePorts, EndpointSlices) is generated deterministically.
// Generated addresses: node i (0-based) gets nodeCidr .2+i and pod subnet podCidr's i-th /24
// (10.244.i.0/24, pods from .2: .1 is the node's bridge, as with kubenet/flannel); clusterIPs
// count up from serviceCidr .2 (.1 is the `kubernetes` service).

import { decodeManifests, type DecodedManifests, type DecodedPod, type DecodedService, type Source } from './decode.js';
import { deriveEndpointSlices } from './endpoint-slices.js';
import { cidrContains, type Cidr, formatIPv4, parseCidr, parseIPv4 } from '../net/ipv4.js';
import type { ManifestDoc } from './manifest-doc.js';
import { type Cluster, type EndpointSlice, MAX_NODES, type Node, type Pod, type Service, type ServicePort } from './model.js';
import { assignNodePorts, DEFAULT_NODE_PORT_RANGE, parsePortRange, type PortRange } from './node-ports.js';
import { type Placement, placeReplicas } from './placement.js';
import { InputError, type InputIssue } from '../input/problems.js';
import { PodIndex } from './selector.js';

export interface ClusterOptions {
  /** Used only when the input has no Node objects. A count gives `node-1`, `node-2`, ... (one node: `minikube`). */
  readonly nodes?: number | readonly { readonly name: string; readonly zone?: string }[];
  readonly placement?: Placement;
  /** Default 192.168.49.0/24, minikube's docker network. */
  readonly nodeCidr?: string;
  /** Default 10.244.0.0/16 (kubeadm/minikube --pod-network-cidr). */
  readonly podCidr?: string;
  /** Default 10.96.0.0/12 (kube-apiserver --service-cluster-ip-range as kubeadm sets it). */
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

/** Generated nodes cycle through three zones, as a typical cloud region has. */
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
/** Shown by `get nodes` for generated nodes; the kube-proxy behaviour modelled is of about this release. */
export const GENERATED_KUBELET_VERSION = 'v1.33.0';

const objectName = (kind: string, o: { namespace?: string; name: string }): string =>
  o.namespace === undefined ? `${kind} ${o.name}` : `${kind} ${o.namespace}/${o.name}`;

class Issues {
  readonly list: InputIssue[] = [];
  add(source: Source | undefined, object: string | undefined, path: string, message: string): void {
    this.list.push({ ...(source === undefined ? {} : { file: source.file }), ...(object === undefined ? {} : { object }), path, message });
  }
}

function cidrOption(issues: Issues, name: string, text: string): Cidr | undefined {
  const cidr = parseCidr(text);
  if (cidr === undefined) issues.add(undefined, undefined, name, `Invalid value: "${text}": expected an IPv4 CIDR such as 10.96.0.0/12`);
  return cidr;
}

function buildNodes(decoded: DecodedManifests, options: ClusterOptions, nodeCidr: Cidr, issues: Issues, notes: string[]): Node[] {
  let wanted: { name: string; zone: string; ip?: string; ready: boolean; roles: readonly string[]; kubeletVersion?: string }[];
  if (decoded.nodes.length > 0) {
    if (options.nodes !== undefined) notes.push('the manifests list Nodes, so the nodes option is ignored');
    wanted = decoded.nodes.map((n) => ({ ...n, zone: n.zone ?? '' }));
  } else if (options.nodes !== undefined) {
    const given = typeof options.nodes === 'number' ? undefined : options.nodes;
    const count = typeof options.nodes === 'number' ? options.nodes : options.nodes.length;
    if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
      issues.add(undefined, undefined, 'nodes', `Invalid value: ${count}: expected between 1 and ${MAX_NODES} nodes`);
      return [];
    }
    wanted = Array.from({ length: count }, (_, i) => ({
      name: given?.[i].name ?? (count === 1 ? 'minikube' : `node-${i + 1}`),
      zone: given?.[i].zone ?? ZONES[i % ZONES.length],
      ready: true,
      roles: count === 1 && given === undefined ? ['control-plane'] : [],
      kubeletVersion: GENERATED_KUBELET_VERSION,
    }));
  } else {
    // Pods exported from a real cluster name their nodes: those nodes are the cluster.
    const referenced = [...new Set(decoded.pods.flatMap((p) => (p.nodeName === undefined ? [] : [p.nodeName])))];
    const names = referenced.length > 0 ? referenced : ['minikube'];
    wanted = names.map((name, i) => ({
      name,
      zone: ZONES[i % ZONES.length],
      ready: true,
      roles: name === 'minikube' ? ['control-plane'] : [],
      kubeletVersion: GENERATED_KUBELET_VERSION,
    }));
  }
  const seen = new Set<string>();
  for (const n of wanted) {
    if (seen.has(n.name)) issues.add(undefined, `Node ${n.name}`, 'metadata.name', `Duplicate value: "${n.name}"`);
    seen.add(n.name);
  }
  const used = new Set(wanted.flatMap((n) => (n.ip === undefined ? [] : [n.ip])));
  let next = nodeCidr.base + 2;
  return wanted.map((n) => {
    let ip = n.ip;
    if (ip === undefined) {
      while (used.has(formatIPv4(next))) next++;
      if (next >= nodeCidr.base + nodeCidr.size - 1) {
        issues.add(undefined, `Node ${n.name}`, 'nodeCidr', `${nodeCidr.text} has no address left for node ${n.name}`);
      }
      ip = formatIPv4(next++);
    }
    return {
      name: n.name,
      ip,
      zone: n.zone,
      ready: n.ready,
      roles: n.roles,
      ...(n.kubeletVersion === undefined ? {} : { kubeletVersion: n.kubeletVersion }),
    };
  });
}

/** Hands out pod IPs per node from that node's /24, skipping addresses the input already uses. */
class PodAddresses {
  private readonly next: number[];
  constructor(
    private readonly podCidr: Cidr,
    nodes: number,
    private readonly used: Set<string>,
  ) {
    this.next = new Array<number>(nodes).fill(2);
  }
  take(node: number): string | undefined {
    const subnet = this.podCidr.base + node * 256;
    if (node * 256 >= this.podCidr.size) return undefined;
    while (this.next[node] < 255) {
      const ip = formatIPv4(subnet + this.next[node]++);
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
    return undefined;
  }
}

function buildPods(decoded: DecodedManifests, nodes: readonly Node[], options: ClusterOptions, podCidr: Cidr, issues: Issues, notes: string[]): Pod[] {
  const nodeIndex = new Map(nodes.map((n, i) => [n.name, i]));
  const podsOnNode = new Array<number>(nodes.length).fill(0);
  const addresses = new PodAddresses(podCidr, nodes.length, new Set(decoded.pods.flatMap((p) => (p.ip === undefined ? [] : [p.ip]))));
  const noAddress = (node: Node) => `node ${node.name} has no pod address left in its /24 of ${podCidr.text}`;
  const pods: Pod[] = [];
  const names = new Set<string>();
  let unscheduled = 0;

  const inputPod = (p: DecodedPod): void => {
    const object = objectName('Pod', p);
    if (names.has(`${p.namespace}/${p.name}`)) issues.add(p.source, object, 'metadata.name', `Duplicate value: "${p.name}"`);
    names.add(`${p.namespace}/${p.name}`);
    let node = p.nodeName === undefined ? unscheduled++ % nodes.length : nodeIndex.get(p.nodeName);
    if (node === undefined) {
      issues.add(p.source, object, 'spec.nodeName', `Invalid value: "${p.nodeName}": no such node; nodes are ${nodes.map((n) => n.name).join(', ')}`);
      node = 0;
    }
    podsOnNode[node] += 1;
    const ip = p.ip ?? addresses.take(node);
    if (ip === undefined) issues.add(p.source, object, 'status.podIP', noAddress(nodes[node]));
    pods.push({
      namespace: p.namespace,
      name: p.name,
      labels: p.labels,
      nodeName: nodes[node].name,
      ip: ip ?? '',
      ready: p.ready,
      containers: p.containers,
      status: p.status,
      restarts: p.restarts,
    });
  };
  decoded.pods.forEach(inputPod);

  const inputIndex = new PodIndex(pods);
  const placement = options.placement ?? 'spread';
  const deployments = new Set<string>();
  for (const d of decoded.deployments) {
    const object = objectName('Deployment', d);
    if (deployments.has(`${d.namespace}/${d.name}`)) issues.add(d.source, object, 'metadata.name', `Duplicate value: "${d.name}"`);
    deployments.add(`${d.namespace}/${d.name}`);
    if (inputIndex.select(d.namespace, d.selector).length > 0) {
      notes.push(`${object}: the manifests already hold its pods, so none are generated`);
      continue;
    }
    const placed = placeReplicas(d.replicas, placement, podsOnNode);
    if (typeof placed === 'string') {
      issues.add(d.source, object, 'placement', placed);
      continue;
    }
    placed.forEach((node, i) => {
      const ip = addresses.take(node);
      if (ip === undefined) issues.add(d.source, object, 'spec.replicas', noAddress(nodes[node]));
      pods.push({
        namespace: d.namespace,
        name: `${d.name}-${i}`,
        labels: d.templateLabels,
        nodeName: nodes[node].name,
        ip: ip ?? '',
        ready: true,
        containers: d.containers,
        owner: d.name,
        status: 'Running',
        restarts: 0,
      });
    });
  }
  return pods;
}

/** Cluster IPs: explicit ones first (checked against the range and each other), then counted up from .2. */
function clusterIPs(services: readonly DecodedService[], serviceCidr: Cidr, issues: Issues): string[] {
  const used = new Set<number>([serviceCidr.base, serviceCidr.base + 1]);
  const out = services.map((s) => {
    if (s.clusterIP === undefined || s.clusterIP === 'None') return s.clusterIP ?? '';
    const ip = parseIPv4(s.clusterIP);
    const fail = (why: string) =>
      issues.add(s.source, objectName('Service', s), 'spec.clusterIPs', `Invalid value: ["${s.clusterIP}"]: failed to allocate IP ${s.clusterIP}: ${why}`);
    if (ip === undefined || !cidrContains(serviceCidr, ip)) fail(`provided IP is not in the valid range. The range of valid IPs is ${serviceCidr.text}`);
    else if (used.has(ip)) fail('provided IP is already allocated');
    else used.add(ip);
    return s.clusterIP;
  });
  let next = serviceCidr.base + 2;
  const last = serviceCidr.base + serviceCidr.size - 1; // the broadcast address is never handed out
  services.forEach((s, i) => {
    if (s.clusterIP !== undefined) return;
    while (used.has(next)) next++;
    if (next >= last) {
      issues.add(s.source, objectName('Service', s), 'spec.clusterIPs', 'Internal error occurred: failed to allocate a serviceIP: range is full');
      return;
    }
    used.add(next);
    out[i] = formatIPv4(next++);
  });
  return out;
}

/** Like buildCluster, but allocation conflicts (nodePorts, clusterIPs) come back as issues instead of failing; for diagnosis. */
export function buildClusterLenient(docs: readonly ManifestDoc[], options: ClusterOptions = {}): BuildResult & { readonly allocationIssues: InputIssue[] } {
  const decoded = decodeManifests(docs);
  const notes = [...decoded.notes];
  const issues = new Issues();
  const nodeCidr = cidrOption(issues, 'nodeCidr', options.nodeCidr ?? '192.168.49.0/24');
  const podCidr = cidrOption(issues, 'podCidr', options.podCidr ?? '10.244.0.0/16');
  const serviceCidr = cidrOption(issues, 'serviceCidr', options.serviceCidr ?? '10.96.0.0/12');
  const rangeText = options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
  const range: PortRange | undefined = parsePortRange(rangeText);
  if (range === undefined) issues.add(undefined, undefined, 'nodePortRange', `Invalid value: "${rangeText}": expected a port range such as 30000-32767`);
  if (nodeCidr === undefined || podCidr === undefined || serviceCidr === undefined || range === undefined) throw new InputError(issues.list);

  const nodes = buildNodes(decoded, options, nodeCidr, issues, notes);
  if (issues.list.length > 0) throw new InputError(issues.list);
  const pods = buildPods(decoded, nodes, options, podCidr, issues, notes);

  const seen = new Set<string>();
  for (const s of decoded.services) {
    const key = `${s.namespace}/${s.name}`;
    if (seen.has(key)) issues.add(s.source, objectName('Service', s), 'metadata.name', `Duplicate value: "${s.name}"`);
    seen.add(key);
  }
  if (issues.list.length > 0) throw new InputError(issues.list);

  const allocation = new Issues();
  const ips = clusterIPs(decoded.services, serviceCidr, allocation);
  const { assignments, issues: portIssues } = assignNodePorts(decoded.services, {
    range,
    allocateHealthCheckForNodePortLocal: options.allocateHealthCheckForNodePortLocal ?? false,
  });
  for (const pi of portIssues) {
    const s = decoded.services[pi.service];
    allocation.add(s.source, objectName('Service', s), pi.path, pi.message);
  }

  const services: Service[] = decoded.services.map((s, i) => {
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
    return service;
  });

  const endpointSlices = deriveSlices(decoded, services, pods, notes);
  return { cluster: { nodes, pods, deployments: decoded.deployments.map(stripSource), services, endpointSlices }, notes, allocationIssues: allocation.list };
}

function stripSource<T extends { source: Source }>(o: T): Omit<T, 'source'> {
  const { source: _source, ...rest } = o;
  return rest;
}

/** Input slices are kept; services with a selector and no input slice get derived ones. */
function deriveSlices(decoded: DecodedManifests, services: readonly Service[], pods: readonly Pod[], notes: string[]): EndpointSlice[] {
  const given: EndpointSlice[] = decoded.endpointSlices.map(stripSource);
  const taken = new Set(given.map((s) => `${s.namespace}/${s.name}`));
  const covered = new Set(given.map((s) => `${s.namespace}/${s.serviceName}`));
  const known = new Set(services.map((s) => `${s.namespace}/${s.name}`));
  for (const s of given) {
    if (!known.has(`${s.namespace}/${s.serviceName}`)) notes.push(`EndpointSlice ${s.namespace}/${s.name} names service ${s.serviceName}, which the manifests do not hold`);
  }
  const index = new PodIndex(pods);
  for (const service of services) {
    if (service.selector === null || covered.has(`${service.namespace}/${service.name}`)) continue;
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

