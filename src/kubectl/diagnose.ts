// Finds the faults of the NodePort tutorial's troubleshooting section that the objects show,
// each explained with its fix: selector mismatches, targetPort mismatches, bad nodePorts,
// services without ready endpoints, Local-policy nodes that drop traffic, missing readiness probes.
// On a real cluster's dump it says only what matters: ExternalName services have no endpoints to
// check, a targetPort the input's EndpointSlices show in use is not a fault, and readiness advice
// is given once per workload, only for workloads reached from outside (NodePort, LoadBalancer).

import { buildClusterLenient, type ClusterOptions } from '../cluster/build.js';
import { endpointsForServicePort, resolveTargetPort, slicesOf } from '../cluster/endpoint-slices.js';
import type { Cluster, Container, Pod, Service, ServicePort } from '../cluster/model.js';
import { serviceKey } from '../cluster/model.js';
import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { DEFAULT_NODE_PORT_RANGE, outOfRangeMessage, parsePortRange, type PortRange } from '../cluster/node-ports.js';
import { formatLabels, PodIndex } from '../cluster/selector.js';

export interface Finding {
  readonly severity: 'error' | 'warning';
  /** `Service default/nginx-nodeport`, `Deployment default/web`, `Node node-2`. */
  readonly object: string;
  readonly message: string;
  readonly fix: string;
}

export interface DiagnoseOptions {
  readonly nodePortRange?: string;
}

const MAX_NAMES = 3;
const listNames = (names: readonly string[]): string =>
  names.length <= MAX_NAMES ? names.join(', ') : `${names.slice(0, MAX_NAMES).join(', ')} and ${names.length - MAX_NAMES} more`;

const svcObject = (s: Service): string => `Service ${serviceKey(s)}`;

/** Pods whose labels differ from the selector in exactly the values (same keys), grouped by label set. */
function nearMisses(index: PodIndex, service: Service, selector: Readonly<Record<string, string>>): { labels: string; pods: string[] }[] {
  const keys = Object.keys(selector);
  const groups = new Map<string, string[]>();
  for (const pod of index.inNamespace(service.namespace)) {
    const shared = keys.filter((k) => pod.labels[k] !== undefined);
    if (shared.length === 0) continue;
    const relevant = Object.fromEntries(shared.map((k) => [k, pod.labels[k]]));
    const text = formatLabels(relevant);
    const list = groups.get(text);
    if (list === undefined) groups.set(text, [pod.name]);
    else list.push(pod.name);
  }
  return [...groups].map(([labels, pods]) => ({ labels, pods }));
}

function checkSelector(index: PodIndex, s: Service, selected: readonly Pod[], out: Finding[]): void {
  if (s.selector === null || selected.length > 0) return;
  const selector = formatLabels(s.selector);
  const misses = nearMisses(index, s, s.selector);
  if (misses.length === 0) {
    out.push({
      severity: 'error',
      object: svcObject(s),
      message: `selector ${selector} matches no pod in namespace ${s.namespace}, so the service has no endpoints (kubectl get endpoints shows <none>)`,
      fix: `create pods labelled ${selector}, or change the service selector to the labels of the pods it should reach`,
    });
    return;
  }
  const described = misses.map((m) => `${listNames(m.pods)} ${m.pods.length === 1 ? 'has' : 'have'} ${m.labels}`).join('; ');
  const target = misses[0].labels;
  const patch = JSON.stringify({ spec: { selector: Object.fromEntries(target.split(',').map((kv) => kv.split('=') as [string, string])) } });
  out.push({
    severity: 'error',
    object: svcObject(s),
    message: `selector ${selector} matches no pod, so the service has no endpoints; pods nearly match: ${described}`,
    fix: `update the service selector: kubectl patch service ${s.name} -p '${patch}' — or relabel the pods: kubectl label pods -l ${target} ${selector} --overwrite (and fix the Deployment template)`,
  });
}

const exposedPorts = (pods: readonly Pod[]): string[] => {
  const seen = new Set<string>();
  for (const pod of pods) for (const c of pod.containers) for (const p of c.ports) seen.add(`${p.name === undefined ? '' : `${p.name}=`}${p.containerPort}/${p.protocol}`);
  return [...seen].sort();
};

/** Whether an EndpointSlice the input holds (not one derived here) sends this port's traffic to `targetPort`. */
const inputSlicesUse = (cluster: Cluster, s: Service, port: ServicePort, targetPort: number): boolean =>
  slicesOf(cluster, s).some((slice) => slice.derived !== true && slice.endpoints.length > 0 && slice.ports.some((p) => p.name === port.name && p.protocol === port.protocol && p.port === targetPort));

function checkTargetPort(cluster: Cluster, s: Service, port: ServicePort, index: number, selected: readonly Pod[], out: Finding[]): void {
  if (selected.length === 0) return;
  const exposed = exposedPorts(selected);
  const portPath = `/spec/ports/${index}/targetPort`;
  if (typeof port.targetPort === 'number') {
    const declares = (pod: Pod) => pod.containers.some((c) => c.ports.length > 0);
    const listens = (pod: Pod) => pod.containers.some((c) => c.ports.some((p) => p.containerPort === port.targetPort && p.protocol === port.protocol));
    const withPorts = selected.filter(declares);
    if (withPorts.length === 0 || withPorts.some(listens)) return;
    // containerPorts are informational: a live cluster's slices showing the port in use outweigh them.
    if (inputSlicesUse(cluster, s, port, port.targetPort)) return;
    const suggestion = selected.flatMap((p) => p.containers.flatMap((c) => c.ports.filter((cp) => cp.protocol === port.protocol)))[0];
    out.push({
      severity: 'error',
      object: svcObject(s),
      message: `targetPort ${port.targetPort}/${port.protocol} of port ${port.port} is not a containerPort of any selected pod (they expose ${exposed.join(', ')}); connections reach the pods on a port nothing listens on`,
      fix:
        suggestion === undefined
          ? `set targetPort to the port the container listens on`
          : `kubectl patch service ${s.name} --type='json' -p='[{"op":"replace","path":"${portPath}","value":${suggestion.containerPort}}]'`,
    });
    return;
  }
  const missing = selected.filter((pod) => resolveTargetPort(pod, port) === undefined).map((p) => p.name);
  if (missing.length === 0) return;
  out.push({
    severity: missing.length === selected.length ? 'error' : 'warning',
    object: svcObject(s),
    message: `named targetPort "${port.targetPort}" (${port.protocol}) is not a container port name of ${missing.length === selected.length ? 'any selected pod' : `pods ${listNames(missing)}`} (they expose ${exposed.join(', ') || 'no ports'}); those pods get no traffic on port ${port.port}`,
    fix: `name the container port "${port.targetPort}" in the pod template (ports: - name: ${port.targetPort}), or set targetPort to the container's port number`,
  });
}

function checkNodePorts(cluster: Cluster, range: PortRange, out: Finding[]): void {
  const owners = new Map<number, string[]>();
  for (const s of cluster.services) {
    const ports = new Set<number>();
    for (const p of s.ports) if (p.nodePort !== undefined) ports.add(p.nodePort);
    if (s.healthCheckNodePort !== undefined) ports.add(s.healthCheckNodePort);
    for (const np of ports) {
      if (np < range.base || np >= range.base + range.size) {
        out.push({
          severity: 'error',
          object: svcObject(s),
          message: `nodePort ${np}: ${outOfRangeMessage(np, range).replace(/^Invalid value: \d+: /, '')}; the apiserver refuses the service`,
          fix: `choose a nodePort within ${range.text}, or omit it to have one allocated (or widen --service-node-port-range on the apiserver)`,
        });
      }
      const list = owners.get(np);
      if (list === undefined) owners.set(np, [serviceKey(s)]);
      else list.push(serviceKey(s));
    }
  }
  for (const [np, services] of owners) {
    if (services.length < 2) continue;
    out.push({
      severity: 'error',
      object: `Service ${services[1]}`,
      message: `nodePort ${np} is used by ${services.length} services (${services.join(', ')}): provided port is already allocated; only the first one created gets it`,
      fix: `give each service its own nodePort, or omit nodePort on all but one so the apiserver allocates free ones`,
    });
  }
}

function checkReadyEndpoints(s: Service, selected: readonly Pod[], cluster: Cluster, out: Finding[]): void {
  if (s.selector !== null && selected.length === 0) return; // the selector finding explains it
  if (s.selector === null && slicesOf(cluster, s).length === 0) {
    out.push({
      severity: 'warning',
      object: svcObject(s),
      message: 'the service has no selector and no EndpointSlice, so it has no endpoints',
      fix: 'add a selector, or create an EndpointSlice labelled kubernetes.io/service-name for it',
    });
    return;
  }
  for (const port of s.ports) {
    const endpoints = endpointsForServicePort(cluster, s, port);
    if (endpoints.some((e) => e.ready)) continue;
    const notReady = selected.filter((p) => !p.ready).map((p) => `${p.name} (${p.status ?? 'not Ready'})`);
    const reject = s.type === 'ClusterIP' ? 'connections are refused' : `connections to every node's port ${port.nodePort} are refused (kube-proxy installs a REJECT rule)`;
    out.push({
      severity: 'error',
      object: svcObject(s),
      message: `port ${port.port} has no ready endpoint, so ${reject}${notReady.length > 0 ? `; pods not Ready: ${listNames(notReady)}` : ''}`,
      fix: 'check why the pods are not Ready: kubectl describe pod / kubectl logs --previous (CrashLoopBackOff, OOMKilled, failing readiness probe)',
    });
    return;
  }
}

/** The first port with ready endpoints that some nodes lack, and those nodes; null when every node has one. */
function nodesWithoutLocalEndpoint(s: Service, cluster: Cluster): { port: Service['ports'][number]; without: string[] } | null {
  for (const port of s.ports) {
    const ready = endpointsForServicePort(cluster, s, port).filter((e) => e.ready);
    if (ready.length === 0) continue; // reported as no ready endpoints
    const withLocal = new Set(ready.map((e) => e.nodeName));
    const without = cluster.nodes.filter((n) => !withLocal.has(n.name)).map((n) => n.name);
    if (without.length > 0) return { port, without };
  }
  return null;
}

function checkLocalPolicy(s: Service, cluster: Cluster, out: Finding[]): void {
  if (s.internalTrafficPolicy === 'Local') {
    const found = nodesWithoutLocalEndpoint(s, cluster);
    if (found !== null) {
      const { without } = found;
      out.push({
        severity: 'warning',
        object: svcObject(s),
        message: `internalTrafficPolicy is Local and ${without.length} of ${cluster.nodes.length} nodes (${listNames(without)}) have no ready local endpoint: pods and processes there calling the ClusterIP are dropped (iptables, nftables; IPVS falls back to every endpoint)`,
        fix: 'run a pod on every node that calls the service (a DaemonSet), or use internalTrafficPolicy: Cluster',
      });
    }
  }
  if (s.type === 'ClusterIP' || s.externalTrafficPolicy !== 'Local') return;
  const found = nodesWithoutLocalEndpoint(s, cluster);
  if (found !== null) {
    const { port, without } = found;
    out.push({
      severity: 'warning',
      object: svcObject(s),
      message: `externalTrafficPolicy is Local and ${without.length} of ${cluster.nodes.length} nodes (${listNames(without)}) have no ready local endpoint: NodePort ${port.nodePort} traffic arriving there is dropped and clients time out`,
      fix: 'send traffic only to nodes with a local pod (a load balancer that health-checks healthCheckNodePort), run a pod on every node, or use externalTrafficPolicy: Cluster',
    });
  }
}

/** Pods no readiness advice is for: finished ones, static (mirror) pods, DaemonSet and Job pods. */
const NOT_NAGGED_OWNERS = new Set(['DaemonSet', 'Node', 'Job']);
const nagged = (pod: Pod): boolean => pod.phase !== 'Succeeded' && pod.phase !== 'Failed' && !NOT_NAGGED_OWNERS.has(pod.ownerKind ?? '');

/** The workload a pod belongs to: `ReplicaSet default/web-7d4b9c8f6d` (reported once), or the pod itself. */
const workloadOf = (pod: Pod): string => (pod.ownerKind !== undefined && pod.ownerName !== undefined ? `${pod.ownerKind} ${pod.namespace}/${pod.ownerName}` : `Pod ${serviceKey(pod)}`);

function checkReadinessProbes(cluster: Cluster, exposed: ReadonlySet<Pod>, out: Finding[]): void {
  const reported = new Set<string>();
  const report = (object: string, containers: readonly Container[]) => {
    if (reported.has(object)) return;
    reported.add(object);
    const without = containers.filter((c) => !c.hasReadinessProbe).map((c) => c.name);
    if (without.length === 0) return;
    out.push({
      severity: 'warning',
      object,
      message: `container${without.length === 1 ? '' : 's'} ${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} no readinessProbe: pods receive traffic as soon as they start, before the application is ready`,
      fix: 'add a readinessProbe (e.g. httpGet on the serving port with periodSeconds: 10) so kube-proxy routes only to pods that pass it',
    });
  };
  // A Deployment's generated pods stand for it; pods the input holds are grouped by their owner.
  const deploymentExposed = new Set<string>();
  for (const pod of exposed) if (pod.owner !== undefined) deploymentExposed.add(`${pod.namespace}/${pod.owner}`);
  for (const d of cluster.deployments) if (deploymentExposed.has(serviceKey(d))) report(`Deployment ${serviceKey(d)}`, d.containers);
  for (const pod of cluster.pods) if (pod.owner === undefined && exposed.has(pod) && nagged(pod)) report(workloadOf(pod), pod.containers);
}

/** Every finding, errors first, in a stable order. */
export function diagnoseCluster(cluster: Cluster, options: DiagnoseOptions = {}): Finding[] {
  const range = parsePortRange(options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
  if (range === undefined) throw new Error(`invalid nodePortRange ${options.nodePortRange}`);
  const index = new PodIndex(cluster.pods);
  const out: Finding[] = [];
  checkNodePorts(cluster, range, out);
  const exposed = new Set<Pod>();
  for (const s of cluster.services) {
    // An ExternalName service is a DNS alias: no selector, endpoints or rules to check.
    if (s.type === 'ExternalName') continue;
    const selected = s.selector === null ? [] : index.select(s.namespace, s.selector);
    if (s.type === 'NodePort' || s.type === 'LoadBalancer') for (const pod of selected) exposed.add(pod);
    checkSelector(index, s, selected, out);
    s.ports.forEach((port, i) => checkTargetPort(cluster, s, port, i, selected, out));
    checkReadyEndpoints(s, selected, cluster, out);
    checkLocalPolicy(s, cluster, out);
  }
  checkReadinessProbes(cluster, exposed, out);
  return [...out.filter((f) => f.severity === 'error'), ...out.filter((f) => f.severity === 'warning')];
}

/** Each allocation failure's own fix. */
function allocationFix(path: string, message: string): string {
  if (path.includes('clusterIP') && message.includes('range is full')) return 'widen the service range (--service-cluster-ip-range, cluster.serviceCIDR), or delete services';
  if (message.includes('range is full')) return 'widen --service-node-port-range (cluster.nodePortRange), or free nodePorts by deleting services or setting allocateLoadBalancerNodePorts: false';
  if (path.includes('clusterIP')) return 'give each service its own clusterIP, or omit clusterIP to have a free one allocated';
  return 'fix the field as the message says';
}

/**
 * Builds the cluster from manifests without refusing bad nodePorts (they are what is being
 * diagnosed), then diagnoses it. Other input mistakes still throw an InputError.
 */
export function diagnoseManifests(docs: readonly ManifestDoc[], options: ClusterOptions = {}): { findings: Finding[]; notes: string[]; cluster: Cluster } {
  const { cluster, notes, allocationIssues } = buildClusterLenient(docs, options);
  const findings = diagnoseCluster(cluster, options.nodePortRange === undefined ? {} : { nodePortRange: options.nodePortRange });
  // Out-of-range and duplicate nodePorts are found on the cluster itself; what remains is exhaustion and clusterIP conflicts.
  const extra: Finding[] = allocationIssues
    .filter((i) => !/provided port is (not in the valid range|already allocated)/.test(i.message))
    .map((i) => ({ severity: 'error', object: i.object ?? '', message: `${i.path}: ${i.message}`, fix: allocationFix(i.path, i.message) }));
  return { findings: [...extra, ...findings], notes, cluster };
}
