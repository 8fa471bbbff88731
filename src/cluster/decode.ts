// Turns parsed manifest documents into the Kubernetes objects the simulator handles, checking
// kinds, required fields and types; every mistake is collected, then thrown as one InputError.

import { FieldReader, type Json } from './decode-fields.js';
import type { ManifestDoc } from './manifest-doc.js';
import type {
  Container,
  ContainerPort,
  Deployment,
  Endpoint,
  EndpointSlice,
  EndpointSlicePort,
  Labels,
  Protocol,
  ServicePort,
  ServiceType,
} from './model.js';
import { InputError, type InputIssue } from '../input/problems.js';

export interface Source {
  readonly file: string;
  readonly index: number;
}

export interface DecodedNode {
  readonly source: Source;
  readonly name: string;
  readonly ip?: string;
  readonly zone?: string;
  readonly ready: boolean;
  readonly roles: readonly string[];
  readonly kubeletVersion?: string;
}

export interface DecodedPod {
  readonly source: Source;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly nodeName?: string;
  readonly ip?: string;
  readonly ready: boolean;
  readonly containers: readonly Container[];
  readonly status: string;
  readonly restarts: number;
}

export interface DecodedDeployment extends Deployment {
  readonly source: Source;
}

export interface DecodedService {
  readonly source: Source;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly type: ServiceType;
  readonly clusterIP?: string;
  readonly selector: Labels | null;
  readonly ports: readonly ServicePort[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly healthCheckNodePort?: number;
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly sessionAffinityTimeoutS: number;
  readonly externalIPs: readonly string[];
  /** spec.allocateLoadBalancerNodePorts (LoadBalancer only; default true). */
  readonly allocateLoadBalancerNodePorts: boolean;
}

export interface DecodedEndpointSlice extends EndpointSlice {
  readonly source: Source;
}

export interface DecodedManifests {
  readonly nodes: readonly DecodedNode[];
  readonly pods: readonly DecodedPod[];
  readonly deployments: readonly DecodedDeployment[];
  readonly services: readonly DecodedService[];
  readonly endpointSlices: readonly DecodedEndpointSlice[];
  /** Objects skipped on purpose, one sentence each. */
  readonly notes: readonly string[];
}

const HANDLED: Readonly<Record<string, string>> = {
  Node: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  EndpointSlice: 'discovery.k8s.io/v1',
};

/** Built-in kinds that carry nothing the NodePort data path needs. */
const SKIPPED = new Set([
  'APIService', 'Binding', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus', 'ConfigMap',
  'ControllerRevision', 'CronJob', 'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'DaemonSet',
  'Endpoints', 'Event', 'HorizontalPodAutoscaler', 'Ingress', 'IngressClass', 'Job', 'Lease',
  'LimitRange', 'MutatingWebhookConfiguration', 'Namespace', 'NetworkPolicy', 'PersistentVolume',
  'PersistentVolumeClaim', 'PodDisruptionBudget', 'PodTemplate', 'PriorityClass', 'ReplicaSet',
  'ReplicationController', 'ResourceQuota', 'Role', 'RoleBinding', 'RuntimeClass', 'Secret',
  'ServiceAccount', 'StatefulSet', 'StorageClass', 'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
const PORT_MAX = 65_535;
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const ROLE_PREFIX = 'node-role.kubernetes.io/';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** A core (built-in) API group, as opposed to a custom resource's `example.com/v1`. */
const isBuiltinApiVersion = (apiVersion: string): boolean => {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return true;
  const group = apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
};

class Decoder {
  readonly nodes: DecodedNode[] = [];
  readonly pods: DecodedPod[] = [];
  readonly deployments: DecodedDeployment[] = [];
  readonly services: DecodedService[] = [];
  readonly endpointSlices: DecodedEndpointSlice[] = [];
  readonly notes: string[] = [];
  readonly issues: InputIssue[] = [];

  document(md: ManifestDoc, value: unknown, prefix: string): void {
    const r = new FieldReader(md.file, `document ${md.index + 1}${prefix === '' ? '' : ` ${prefix.slice(0, -1)}`}`);
    const source: Source = { file: md.file, index: md.index };
    this.object(r, source, value, prefix, md);
    this.issues.push(...r.issues);
  }

  private object(r: FieldReader, source: Source, value: unknown, prefix: string, md: ManifestDoc): void {
    const obj = r.map(value, prefix === '' ? '' : prefix.slice(0, -1), true);
    if (obj === undefined) return;
    const apiVersion = r.str(obj.apiVersion, `${prefix}apiVersion`, true);
    const kind = r.str(obj.kind, `${prefix}kind`, true);
    if (apiVersion === undefined || kind === undefined) return;

    if (kind === 'List' || (kind.endsWith('List') && kind !== 'List' && apiVersion === 'v1')) {
      const items = r.list(obj.items, `${prefix}items`, true) ?? [];
      items.forEach((item, i) => this.document(md, item, `${prefix}items[${i}].`));
      return;
    }
    const wanted = HANDLED[kind];
    if (wanted === undefined) {
      if (SKIPPED.has(kind)) this.notes.push(`${md.file}: skipped ${kind} ${nameOf(obj)} (not used by the simulator)`);
      else if (!isBuiltinApiVersion(apiVersion)) {
        this.notes.push(`${md.file}: skipped custom resource ${apiVersion} ${kind} ${nameOf(obj)}`);
      } else {
        r.fail(`${prefix}kind`, `unknown kind "${kind}" for apiVersion ${apiVersion}; expected one of ${Object.keys(HANDLED).join(', ')}, List, or a built-in kind to skip`);
      }
      return;
    }
    const meta = r.map(obj.metadata, `${prefix}metadata`, true) ?? {};
    const name = r.str(meta.name, `${prefix}metadata.name`, false);
    const namespace = r.str(meta.namespace, `${prefix}metadata.namespace`) ?? 'default';
    r.object = kind === 'Node' ? `Node ${name ?? '<unnamed>'}` : `${kind} ${namespace}/${name ?? '<unnamed>'}`;
    if (name === undefined || name === '') r.fail(`${prefix}metadata.name`, 'Required value: expected a string');
    if (apiVersion !== wanted) {
      r.fail(`${prefix}apiVersion`, `unsupported apiVersion "${apiVersion}" for kind ${kind}; expected ${wanted}`);
      return;
    }
    if (name === undefined) return;
    const p = prefix;
    switch (kind) {
      case 'Node':
        this.nodes.push(decodeNode(r, source, p, obj, name));
        return;
      case 'Pod':
        this.pods.push(decodePod(r, source, p, obj, name, namespace));
        return;
      case 'Deployment':
        this.deployments.push(decodeDeployment(r, source, p, obj, name, namespace));
        return;
      case 'Service':
        this.services.push(decodeService(r, source, p, obj, name, namespace));
        return;
      case 'EndpointSlice': {
        const slice = decodeEndpointSlice(r, source, p, obj, name, namespace);
        if (slice === undefined) this.notes.push(`${md.file}: skipped ${r.object} (no ${SERVICE_NAME_LABEL} label, or not IPv4/IPv6)`);
        else this.endpointSlices.push(slice);
        return;
      }
    }
  }
}

function nameOf(obj: Json): string {
  const meta = obj.metadata as Json | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '<unnamed>';
  return typeof meta?.namespace === 'string' ? `${meta.namespace}/${name}` : name;
}

function decodeNode(r: FieldReader, source: Source, p: string, obj: Json, name: string): DecodedNode {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const labels = r.labels(meta.labels, `${p}metadata.labels`);
  const status = r.map(obj.status, `${p}status`) ?? {};
  let ip: string | undefined;
  (r.list(status.addresses, `${p}status.addresses`) ?? []).forEach((a, i) => {
    const address = r.map(a, `${p}status.addresses[${i}]`) ?? {};
    if (address.type === 'InternalIP' && ip === undefined) ip = r.str(address.address, `${p}status.addresses[${i}].address`, true);
  });
  // A node without a Ready condition is taken as Ready: hand-written nodes carry no status.
  let ready = true;
  (r.list(status.conditions, `${p}status.conditions`) ?? []).forEach((c, i) => {
    const condition = r.map(c, `${p}status.conditions[${i}]`) ?? {};
    if (condition.type === 'Ready') ready = condition.status === 'True';
  });
  const nodeInfo = r.map(status.nodeInfo, `${p}status.nodeInfo`) ?? {};
  const roles = Object.keys(labels)
    .filter((k) => k.startsWith(ROLE_PREFIX))
    .map((k) => k.slice(ROLE_PREFIX.length))
    .sort();
  return {
    source,
    name,
    ip,
    zone: labels[ZONE_LABEL],
    ready,
    roles,
    kubeletVersion: r.str(nodeInfo.kubeletVersion, `${p}status.nodeInfo.kubeletVersion`),
  };
}

function decodeContainers(r: FieldReader, podSpec: Json, path: string): Container[] {
  const containers = r.list(podSpec.containers, `${path}.containers`, true) ?? [];
  if (containers.length === 0 && Array.isArray(podSpec.containers)) r.fail(`${path}.containers`, 'Required value: expected at least one container');
  return containers.map((c, i) => {
    const cp = `${path}.containers[${i}]`;
    const container = r.map(c, cp, true) ?? {};
    const ports: ContainerPort[] = (r.list(container.ports, `${cp}.ports`) ?? []).map((pv, j) => {
      const pp = `${cp}.ports[${j}]`;
      const port = r.map(pv, pp, true) ?? {};
      return {
        name: r.str(port.name, `${pp}.name`),
        containerPort: r.int(port.containerPort, `${pp}.containerPort`, 1, PORT_MAX, true) ?? 0,
        protocol: r.oneOf(port.protocol, `${pp}.protocol`, PROTOCOLS, 'TCP'),
      };
    });
    return {
      name: r.str(container.name, `${cp}.name`, true) ?? '',
      ports,
      hasReadinessProbe: r.map(container.readinessProbe, `${cp}.readinessProbe`) !== undefined,
    };
  });
}

function decodePod(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedPod {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const spec = r.map(obj.spec, `${p}spec`, true) ?? {};
  const status = r.map(obj.status, `${p}status`);
  const containers = decodeContainers(r, spec, `${p}spec`);
  const phase = r.str(status?.phase, `${p}status.phase`);
  let readyCondition: boolean | undefined;
  (r.list(status?.conditions, `${p}status.conditions`) ?? []).forEach((c, i) => {
    const condition = r.map(c, `${p}status.conditions[${i}]`) ?? {};
    if (condition.type === 'Ready') readyCondition = condition.status === 'True';
  });
  // kubectl shows the first waiting/terminated reason (CrashLoopBackOff, OOMKilled) over the phase.
  let reason: string | undefined;
  let restarts = 0;
  (r.list(status?.containerStatuses, `${p}status.containerStatuses`) ?? []).forEach((cs, i) => {
    const csp = `${p}status.containerStatuses[${i}]`;
    const containerStatus = r.map(cs, csp) ?? {};
    restarts += r.int(containerStatus.restartCount, `${csp}.restartCount`, 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const state = r.map(containerStatus.state, `${csp}.state`) ?? {};
    const waiting = r.map(state.waiting, `${csp}.state.waiting`);
    const terminated = r.map(state.terminated, `${csp}.state.terminated`);
    reason ??= r.str(waiting?.reason, `${csp}.state.waiting.reason`) ?? r.str(terminated?.reason, `${csp}.state.terminated.reason`);
  });
  // A hand-written pod has no status: it is taken as running and Ready, like generated pods.
  const ready = readyCondition ?? (phase === undefined || phase === 'Running');
  return {
    source,
    namespace,
    name,
    labels: r.labels(meta.labels, `${p}metadata.labels`),
    nodeName: r.str(spec.nodeName, `${p}spec.nodeName`),
    ip: r.str(status?.podIP, `${p}status.podIP`),
    ready,
    containers,
    status: reason ?? phase ?? 'Running',
    restarts,
  };
}

function decodeDeployment(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedDeployment {
  const spec = r.map(obj.spec, `${p}spec`, true) ?? {};
  const selector = r.map(spec.selector, `${p}spec.selector`, true) ?? {};
  if (selector.matchExpressions !== undefined) r.fail(`${p}spec.selector.matchExpressions`, 'Unsupported value: only matchLabels selectors are simulated');
  const matchLabels = r.labels(selector.matchLabels, `${p}spec.selector.matchLabels`);
  const template = r.map(spec.template, `${p}spec.template`, true) ?? {};
  const templateMeta = r.map(template.metadata, `${p}spec.template.metadata`) ?? {};
  const templateLabels = r.labels(templateMeta.labels, `${p}spec.template.metadata.labels`);
  const podSpec = r.map(template.spec, `${p}spec.template.spec`, true) ?? {};
  if (spec.selector !== undefined && Object.keys(matchLabels).length === 0 && selector.matchExpressions === undefined) {
    r.fail(`${p}spec.selector`, 'Invalid value: {}: empty selector is invalid for deployment');
  } else if (Object.entries(matchLabels).some(([k, v]) => templateLabels[k] !== v)) {
    // The apiserver's own words for this mistake.
    r.fail(`${p}spec.template.metadata.labels`, `Invalid value: ${JSON.stringify(templateLabels)}: \`selector\` does not match template \`labels\``);
  }
  return {
    source,
    namespace,
    name,
    replicas: r.int(spec.replicas, `${p}spec.replicas`, 0, 1_000_000) ?? 1,
    selector: matchLabels,
    templateLabels,
    containers: decodeContainers(r, podSpec, `${p}spec.template.spec`),
  };
}

function decodeService(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedService {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const spec = r.map(obj.spec, `${p}spec`, true) ?? {};
  const type = r.oneOf(spec.type, `${p}spec.type`, ['ClusterIP', 'NodePort', 'LoadBalancer'] as const, 'ClusterIP');
  const rawPorts = r.list(spec.ports, `${p}spec.ports`, true) ?? [];
  if (Array.isArray(spec.ports) && rawPorts.length === 0) r.fail(`${p}spec.ports`, 'Required value: expected at least one port');
  const ports: ServicePort[] = rawPorts.map((pv, i) => {
    const pp = `${p}spec.ports[${i}]`;
    const port = r.map(pv, pp, true) ?? {};
    const portNumber = r.int(port.port, `${pp}.port`, 1, PORT_MAX, true) ?? 0;
    const portName = r.str(port.name, `${pp}.name`) ?? '';
    if (portName === '' && rawPorts.length > 1) r.fail(`${pp}.name`, 'Required value: every port of a multi-port service needs a name');
    let targetPort: number | string = portNumber;
    if (typeof port.targetPort === 'string' && port.targetPort !== '') {
      targetPort = /^\d+$/.test(port.targetPort) ? Number(port.targetPort) : port.targetPort;
    } else if (port.targetPort !== undefined && port.targetPort !== null) {
      targetPort = r.int(port.targetPort, `${pp}.targetPort`, 1, PORT_MAX) ?? portNumber;
    }
    const nodePort = r.int(port.nodePort, `${pp}.nodePort`, 0, PORT_MAX);
    if (nodePort !== undefined && nodePort !== 0 && type === 'ClusterIP') {
      r.fail(`${pp}.nodePort`, "Forbidden: may not be used when `type` is 'ClusterIP'");
    }
    return {
      name: portName,
      protocol: r.oneOf(port.protocol, `${pp}.protocol`, PROTOCOLS, 'TCP'),
      port: portNumber,
      targetPort,
      ...(nodePort === undefined || nodePort === 0 ? {} : { nodePort }),
    };
  });
  const selector = r.labels(spec.selector, `${p}spec.selector`);
  const policy = r.oneOf(spec.externalTrafficPolicy, `${p}spec.externalTrafficPolicy`, ['Cluster', 'Local'] as const, 'Cluster');
  if (spec.externalTrafficPolicy === 'Local' && type === 'ClusterIP') {
    r.fail(`${p}spec.externalTrafficPolicy`, "Invalid value: \"Local\": may only be set when `type` is 'NodePort' or 'LoadBalancer'");
  }
  const affinityConfig = r.map(spec.sessionAffinityConfig, `${p}spec.sessionAffinityConfig`) ?? {};
  const clientIP = r.map(affinityConfig.clientIP, `${p}spec.sessionAffinityConfig.clientIP`) ?? {};
  const healthCheckNodePort = r.int(spec.healthCheckNodePort, `${p}spec.healthCheckNodePort`, 0, PORT_MAX);
  const externalIPs = (r.list(spec.externalIPs, `${p}spec.externalIPs`) ?? []).map((v, i) => r.str(v, `${p}spec.externalIPs[${i}]`, true) ?? '');
  return {
    source,
    namespace,
    name,
    labels: r.labels(meta.labels, `${p}metadata.labels`),
    annotations: r.labels(meta.annotations, `${p}metadata.annotations`),
    type,
    clusterIP: r.str(spec.clusterIP, `${p}spec.clusterIP`) || undefined,
    // The API drops an empty selector, and the EndpointSlice controller then manages nothing.
    selector: Object.keys(selector).length === 0 ? null : selector,
    ports,
    externalTrafficPolicy: policy,
    ...(healthCheckNodePort === undefined || healthCheckNodePort === 0 ? {} : { healthCheckNodePort }),
    sessionAffinity: r.oneOf(spec.sessionAffinity, `${p}spec.sessionAffinity`, ['None', 'ClientIP'] as const, 'None'),
    // 10800 s is the API default (see DEFAULT_AFFINITY_TIMEOUT_S); the API caps it at one day.
    sessionAffinityTimeoutS: r.int(clientIP.timeoutSeconds, `${p}spec.sessionAffinityConfig.clientIP.timeoutSeconds`, 1, 86_400) ?? 10_800,
    externalIPs,
    allocateLoadBalancerNodePorts: r.bool(spec.allocateLoadBalancerNodePorts, `${p}spec.allocateLoadBalancerNodePorts`) ?? true,
  };
}

function decodeEndpointSlice(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedEndpointSlice | undefined {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const labels = r.labels(meta.labels, `${p}metadata.labels`);
  const addressType = r.str(obj.addressType, `${p}addressType`, true);
  const ports: EndpointSlicePort[] = (r.list(obj.ports, `${p}ports`) ?? []).map((pv, i) => {
    const port = r.map(pv, `${p}ports[${i}]`, true) ?? {};
    return {
      name: r.str(port.name, `${p}ports[${i}].name`) ?? '',
      protocol: r.oneOf(port.protocol, `${p}ports[${i}].protocol`, PROTOCOLS, 'TCP'),
      port: r.int(port.port, `${p}ports[${i}].port`, 1, PORT_MAX, true) ?? 0,
    };
  });
  const endpoints: Endpoint[] = (r.list(obj.endpoints, `${p}endpoints`) ?? []).map((ev, i) => {
    const ep = `${p}endpoints[${i}]`;
    const endpoint = r.map(ev, ep, true) ?? {};
    const addresses = r.list(endpoint.addresses, `${ep}.addresses`, true) ?? [];
    // Consumers use only the first address (discovery.k8s.io/v1 API docs).
    const ip = r.str(addresses[0], `${ep}.addresses[0]`, true) ?? '';
    const conditions = r.map(endpoint.conditions, `${ep}.conditions`) ?? {};
    const targetRef = r.map(endpoint.targetRef, `${ep}.targetRef`);
    const ready = r.bool(conditions.ready, `${ep}.conditions.ready`);
    const serving = r.bool(conditions.serving, `${ep}.conditions.serving`);
    const terminating = r.bool(conditions.terminating, `${ep}.conditions.terminating`);
    const podName = targetRef?.kind === 'Pod' ? r.str(targetRef.name, `${ep}.targetRef.name`) : undefined;
    return {
      ip,
      nodeName: r.str(endpoint.nodeName, `${ep}.nodeName`) ?? '',
      // nil conditions: ready and serving count as true, terminating as false (as kube-proxy reads them).
      ready: ready ?? true,
      serving: serving ?? ready ?? true,
      terminating: terminating ?? false,
      ...(podName === undefined ? {} : { podName }),
    };
  });
  const serviceName = labels[SERVICE_NAME_LABEL];
  if (serviceName === undefined || (addressType !== 'IPv4' && addressType !== 'IPv6')) return undefined;
  return { source, namespace, name, serviceName, addressType, ports, endpoints };
}

/** Decodes every document; throws one InputError listing every problem found. */
export function decodeManifests(docs: readonly ManifestDoc[]): DecodedManifests {
  const decoder = new Decoder();
  for (const md of docs) decoder.document(md, md.doc, '');
  if (decoder.issues.length > 0) throw new InputError(decoder.issues);
  return decoder;
}
