// `kubectl describe pod|node|endpointslice NAME` as pure string formatters: kubectl's layout
// (pkg/describe/describe.go: PodDescriber, NodeDescriber, EndpointSliceDescriber), with the
// lines the model holds and kubectl's `<none>`/`<unset>` where it holds nothing.

import type { Cluster, EndpointSlice, Labels, Node, Pod } from '../cluster/model.js';
import { nodeLabels, sliceLabels } from './resources.js';
import { alignTabs, DESCRIBE } from './tabwriter.js';

function labelLines(title: string, labels: Labels): string[] {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return [`${title}:\t<none>`];
  return keys.map((k, i) => `${i === 0 ? `${title}:` : ''}\t${k}=${labels[k]}`);
}

const created = (at: string | undefined): string[] => (at === undefined ? [] : [`Creation Timestamp:\t${new Date(at).toUTCString().replace('GMT', '+0000')}`]);

export function describePod(cluster: Cluster, pod: Pod): string {
  const node = cluster.nodes.find((n) => n.name === pod.nodeName);
  const lines = [
    `Name:\t${pod.name}`,
    `Namespace:\t${pod.namespace}`,
    `Node:\t${node === undefined ? '<none>' : `${node.name}/${node.ip}`}`,
    ...labelLines('Labels', pod.labels),
    'Annotations:\t<none>',
    `Status:\t${pod.phase ?? 'Running'}`,
    `IP:\t${pod.ip}`,
    ...(pod.ip === '' ? ['IPs:\t<none>'] : ['IPs:', `  IP:\t${pod.ip}`]),
    ...(pod.ownerKind === undefined ? [] : [`Controlled By:\t${pod.ownerKind}/${pod.ownerName ?? ''}`]),
    'Containers:',
  ];
  for (const c of pod.containers) {
    lines.push(`  ${c.name}:`);
    const ports = c.ports.map((p) => `${p.containerPort}/${p.protocol}${p.name === undefined ? '' : ` (${p.name})`}`);
    lines.push(`    ${ports.length > 1 ? 'Ports' : 'Port'}:\t${ports.length === 0 ? '<none>' : ports.join(', ')}`);
    lines.push(`    Ready:\t${pod.ready ? 'True' : 'False'}`);
    lines.push(`    Restart Count:\t${c === pod.containers[0] ? (pod.restarts ?? 0) : 0}`);
    if (c.hasReadinessProbe) lines.push('    Readiness:\tdefined');
  }
  lines.push('Conditions:', '  Type\tStatus', `  Ready\t${pod.ready ? 'True' : 'False'}`, 'Events:\t<none>');
  return alignTabs(lines, DESCRIBE);
}

export function describeNode(cluster: Cluster, node: Node): string {
  const pods = cluster.pods.filter((p) => p.nodeName === node.name && p.phase !== 'Succeeded' && p.phase !== 'Failed');
  const lines = [
    `Name:\t${node.name}`,
    `Roles:\t${node.roles === undefined || node.roles.length === 0 ? '<none>' : node.roles.join(',')}`,
    ...labelLines('Labels', nodeLabels(node)),
    ...created(node.createdAt),
    'Conditions:',
    '  Type\tStatus',
    `  Ready\t${node.ready ? 'True' : 'False'}`,
    'Addresses:',
    `  InternalIP:\t${node.ip}`,
    'System Info:',
    `  Kernel Version:\t${node.kernelVersion ?? ''}`,
    `  OS Image:\t${node.osImage ?? ''}`,
    `  Container Runtime Version:\t${node.containerRuntime ?? ''}`,
    `  Kubelet Version:\t${node.kubeletVersion ?? ''}`,
    ...(node.podCIDR === undefined ? [] : [`PodCIDR:\t${node.podCIDR}`, `PodCIDRs:\t${node.podCIDR}`]),
    `Non-terminated Pods:\t(${pods.length} in total)`,
    '  Namespace\tName',
    '  ---------\t----',
    ...[...pods].sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1)).map((p) => `  ${p.namespace}\t${p.name}`),
    'Events:\t<none>',
  ];
  return alignTabs(lines, DESCRIBE);
}

export function describeEndpointSlice(slice: EndpointSlice): string {
  const lines = [
    `Name:\t${slice.name}`,
    `Namespace:\t${slice.namespace}`,
    ...labelLines('Labels', sliceLabels(slice)),
    'Annotations:\t<none>',
    `AddressType:\t${slice.addressType ?? 'IPv4'}`,
    'Ports:',
    '  Name\tPort\tProtocol',
    '  ----\t----\t--------',
    ...slice.ports.map((p) => `  ${p.name === '' ? '<unset>' : p.name}\t${p.port}\t${p.protocol}`),
    'Endpoints:',
  ];
  for (const e of slice.endpoints) {
    lines.push(`  - Addresses:\t${e.ip}`, '    Conditions:', `      Ready:\t${e.ready}`, '    Hostname:\t<unset>');
    lines.push(`    TargetRef:\t${e.podName === undefined ? '<unset>' : `Pod/${e.podName}`}`, `    NodeName:\t${e.nodeName === '' ? '<unset>' : e.nodeName}`, '    Zone:\t<unset>');
  }
  lines.push('Events:\t<none>');
  return alignTabs(lines, DESCRIBE);
}
