// Decoding of the workload kinds: Node, Pod (and its containers) and Deployment.

import { FieldReader, type Json, PORT_MAX, PROTOCOLS } from './decode-fields.js';
import type { DecodedDeployment, DecodedNode, DecodedPod, Source } from './decoded.js';
import type { Container, ContainerPort } from './model.js';
import { quote } from '../input/quote.js';
import { INVALID_IP, ipFamilyOf } from './validate-names.js';

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const ROLE_PREFIX = 'node-role.kubernetes.io/';
/** kubectl's printers.go findNodeRoles also reads this older label (kops, some OpenShift 3 nodes). */
const ROLE_LABEL = 'kubernetes.io/role';

export function decodeNode(r: FieldReader, source: Source, p: string, obj: Json, name: string): DecodedNode {
  const meta = r.map(obj.metadata, `${p}metadata`) ?? {};
  const labels = r.checkedLabels(meta.labels, `${p}metadata.labels`);
  const status = r.map(obj.status, `${p}status`) ?? {};
  const spec = r.map(obj.spec, `${p}spec`) ?? {};
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
  const roles = new Set(
    Object.keys(labels)
      .filter((k) => k.startsWith(ROLE_PREFIX) && k.length > ROLE_PREFIX.length)
      .map((k) => k.slice(ROLE_PREFIX.length)),
  );
  if (labels[ROLE_LABEL] !== undefined && labels[ROLE_LABEL] !== '') roles.add(labels[ROLE_LABEL]);
  const info = (field: string) => r.str(nodeInfo[field], `${p}status.nodeInfo.${field}`);
  return {
    source,
    name,
    ip,
    zone: labels[ZONE_LABEL],
    ready,
    roles: [...roles].sort(),
    kubeletVersion: info('kubeletVersion'),
    osImage: info('osImage'),
    kernelVersion: info('kernelVersion'),
    containerRuntime: info('containerRuntimeVersion'),
    podCIDR: r.str(spec.podCIDR, `${p}spec.podCIDR`),
    labels,
    createdAt: r.str(meta.creationTimestamp, `${p}metadata.creationTimestamp`),
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

export function decodePod(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedPod {
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
  const podIP = r.str(status?.podIP, `${p}status.podIP`) || undefined;
  if (podIP !== undefined && ipFamilyOf(podIP) === undefined) r.fail(`${p}status.podIP`, `Invalid value: ${quote(podIP)}: ${INVALID_IP}`);
  const owners = r.list(meta.ownerReferences, `${p}metadata.ownerReferences`) ?? [];
  const controller = owners.map((o) => (typeof o === 'object' && o !== null ? (o as Json) : {})).find((o) => o.controller === true) ?? (owners[0] as Json | undefined);
  const ownerKind = typeof controller?.kind === 'string' ? controller.kind : undefined;
  const ownerName = typeof controller?.name === 'string' ? controller.name : undefined;
  const createdAt = r.str(meta.creationTimestamp, `${p}metadata.creationTimestamp`);
  return {
    source,
    namespace,
    name,
    labels: r.checkedLabels(meta.labels, `${p}metadata.labels`),
    nodeName: r.str(spec.nodeName, `${p}spec.nodeName`) || undefined,
    ip: podIP,
    ready,
    containers,
    // kubectl prints a finished pod's terminated reason, `Completed` for exit 0.
    status: reason ?? phase ?? 'Running',
    restarts,
    hostNetwork: r.bool(spec.hostNetwork, `${p}spec.hostNetwork`) ?? false,
    ...(ownerKind === undefined ? {} : { ownerKind }),
    ...(ownerName === undefined ? {} : { ownerName }),
    ...(phase === undefined ? {} : { phase }),
    ...(createdAt === undefined ? {} : { createdAt }),
  };
}

export function decodeDeployment(r: FieldReader, source: Source, p: string, obj: Json, name: string, namespace: string): DecodedDeployment {
  const spec = r.map(obj.spec, `${p}spec`, true) ?? {};
  const selector = r.map(spec.selector, `${p}spec.selector`, true) ?? {};
  if (selector.matchExpressions !== undefined) r.fail(`${p}spec.selector.matchExpressions`, 'Unsupported value: only matchLabels selectors are simulated');
  const matchLabels = r.checkedLabels(selector.matchLabels, `${p}spec.selector.matchLabels`);
  const template = r.map(spec.template, `${p}spec.template`, true) ?? {};
  const templateMeta = r.map(template.metadata, `${p}spec.template.metadata`) ?? {};
  const templateLabels = r.checkedLabels(templateMeta.labels, `${p}spec.template.metadata.labels`);
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
