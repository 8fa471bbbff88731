// `kubectl get svc,endpoints,endpointslices,pods,nodes -A -o yaml` dumps of the distributions the
// simulator is meant to read, written from each one's documented object shapes: its service and
// pod ranges, node names and labels, nodeInfo, system DaemonSets and static pods, load balancers.
// Every dump also holds the objects any real cluster has: the selector-less default/kubernetes
// Service at the first address of the range with its Endpoints and apiserver-managed slice, a
// multi-port kube-dns, hostNetwork DaemonSet pods, a Completed Job pod, a Pending pod with no IP,
// a CrashLoopBackOff pod, a headless and an ExternalName Service.

export type Distribution = 'kind' | 'eks' | 'gke' | 'aks' | 'openshift';
export const DISTRIBUTIONS: readonly Distribution[] = ['kind', 'eks', 'gke', 'aks', 'openshift'];

interface NodeShape {
  readonly name: string;
  readonly ip: string;
  readonly podCIDR?: string;
  readonly labels: Record<string, string>;
}

interface Profile {
  /** The service range's addresses: .1 is kubernetes, then as the profile lists them. */
  readonly serviceIP: (i: number) => string;
  readonly kubeDNS: string;
  readonly controlPlane: readonly string[];
  readonly nodes: readonly NodeShape[];
  /** Pod i on node n. */
  readonly podIP: (node: number, i: number) => string;
  readonly nodeInfo: { kubeletVersion: string; osImage: string; kernelVersion: string; containerRuntimeVersion: string };
  readonly systemDaemonSets: readonly string[];
  /** The web app's Service type and what its load balancer answers on. */
  readonly web: { type: 'NodePort' | 'LoadBalancer'; ingress?: { ip?: string; hostname?: string } };
  readonly staticPods: boolean;
  readonly dualStack: boolean;
}

const zoneLabels = (region: string, zone: string) => ({ 'topology.kubernetes.io/region': region, 'topology.kubernetes.io/zone': zone });

const PROFILES: Record<Distribution, Profile> = {
  // kind: kubeadm's layout, service subnet 10.96.0.0/16, pod subnet 10.244.0.0/16 (per-node /24 in spec.podCIDR).
  kind: {
    serviceIP: (i) => `10.96.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    kubeDNS: '10.96.0.10',
    controlPlane: ['172.18.0.2'],
    nodes: [
      { name: 'kind-control-plane', ip: '172.18.0.2', podCIDR: '10.244.0.0/24', labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'kind-control-plane' } },
      { name: 'kind-worker', ip: '172.18.0.3', podCIDR: '10.244.1.0/24', labels: { 'kubernetes.io/hostname': 'kind-worker' } },
      { name: 'kind-worker2', ip: '172.18.0.4', podCIDR: '10.244.2.0/24', labels: { 'kubernetes.io/hostname': 'kind-worker2' } },
    ],
    podIP: (n, i) => `10.244.${n}.${i + 2}`,
    nodeInfo: { kubeletVersion: 'v1.30.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.5.0-35-generic', containerRuntimeVersion: 'containerd://1.7.15' },
    systemDaemonSets: ['kube-proxy', 'kindnet'],
    web: { type: 'NodePort' },
    staticPods: true,
    dualStack: false,
  },
  // EKS: service range 10.100.0.0/16 (VPC 192.168.0.0/16), VPC CNI gives pods VPC addresses, ELB hostnames.
  eks: {
    serviceIP: (i) => `10.100.${(i * 37) % 250}.${(i % 250) + 1}`,
    kubeDNS: '10.100.0.10',
    controlPlane: ['192.168.120.15', '192.168.160.22'],
    nodes: [
      { name: 'ip-192-168-12-34.us-west-2.compute.internal', ip: '192.168.12.34', labels: { ...zoneLabels('us-west-2', 'us-west-2a'), 'eks.amazonaws.com/nodegroup': 'ng-1', 'node.kubernetes.io/instance-type': 'm5.large' } },
      { name: 'ip-192-168-45-67.us-west-2.compute.internal', ip: '192.168.45.67', labels: { ...zoneLabels('us-west-2', 'us-west-2b'), 'eks.amazonaws.com/nodegroup': 'ng-1', 'node.kubernetes.io/instance-type': 'm5.large' } },
    ],
    podIP: (n, i) => `192.168.${n === 0 ? 13 : 46}.${i * 3 + 10}`,
    nodeInfo: { kubeletVersion: 'v1.29.3-eks-ae9a62a', osImage: 'Amazon Linux 2', kernelVersion: '5.10.215-203.850.amzn2.x86_64', containerRuntimeVersion: 'containerd://1.7.11' },
    systemDaemonSets: ['aws-node', 'kube-proxy'],
    web: { type: 'LoadBalancer', ingress: { hostname: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6-1234567890.us-west-2.elb.amazonaws.com' } },
    staticPods: false,
    dualStack: false,
  },
  // GKE: services from 34.118.224.0/20, pods from 10.8.0.0/14 with a /24 per node, a load balancer IP.
  gke: {
    serviceIP: (i) => `34.118.${224 + Math.floor(i / 200)}.${(i % 200) + 1}`,
    kubeDNS: '34.118.224.10',
    controlPlane: ['172.16.0.2'],
    nodes: [0, 1, 2].map((n) => ({
      name: `gke-demo-default-pool-3f6a7b2c-${['1x2z', 'k9m4', 'q7w8'][n]}`,
      ip: `10.128.0.${n + 3}`,
      podCIDR: `10.8.${n}.0/24`,
      labels: { ...zoneLabels('us-central1', `us-central1-${'abc'[n]}`), 'cloud.google.com/gke-nodepool': 'default-pool', 'cloud.google.com/gke-os-distribution': 'cos' },
    })),
    podIP: (n, i) => `10.8.${n}.${i + 5}`,
    nodeInfo: { kubeletVersion: 'v1.29.4-gke.1043002', osImage: 'Container-Optimized OS from Google', kernelVersion: '6.1.75+', containerRuntimeVersion: 'containerd://1.7.13' },
    systemDaemonSets: ['kube-proxy', 'fluentbit-gke', 'gke-metadata-server'],
    web: { type: 'LoadBalancer', ingress: { ip: '34.123.45.67' } },
    staticPods: false,
    dualStack: true,
  },
  // AKS: service CIDR 10.0.0.0/16 with DNS at 10.0.0.10, Azure CNI overlay pods in 10.244.0.0/16, VMSS node names.
  aks: {
    serviceIP: (i) => `10.0.${Math.floor(i / 100)}.${(i % 100) + 1}`,
    kubeDNS: '10.0.0.10',
    controlPlane: ['20.81.12.34'],
    nodes: [0, 1].map((n) => ({
      name: `aks-nodepool1-28745691-vmss00000${n}`,
      ip: `10.224.0.${n + 4}`,
      labels: { ...zoneLabels('eastus', '0'), 'kubernetes.azure.com/role': 'agent', 'kubernetes.io/role': 'agent', agentpool: 'nodepool1' },
    })),
    podIP: (n, i) => `10.244.${n}.${i + 10}`,
    nodeInfo: { kubeletVersion: 'v1.29.2', osImage: 'Ubuntu 22.04.4 LTS', kernelVersion: '5.15.0-1064-azure', containerRuntimeVersion: 'containerd://1.7.15-1' },
    systemDaemonSets: ['kube-proxy', 'azure-cns', 'cloud-node-manager'],
    web: { type: 'LoadBalancer', ingress: { ip: '20.62.100.7' } },
    staticPods: false,
    dualStack: false,
  },
  // OpenShift: service network 172.30.0.0/16, cluster network 10.128.0.0/14 (a /23 per node), master/worker roles.
  openshift: {
    serviceIP: (i) => `172.30.${(i * 11) % 250}.${(i % 250) + 1}`,
    kubeDNS: '172.30.0.10',
    controlPlane: ['10.0.0.10', '10.0.0.11', '10.0.0.12'],
    nodes: [
      { name: 'master-0.ocp.example.com', ip: '10.0.0.10', labels: { 'node-role.kubernetes.io/master': '', 'node-role.kubernetes.io/control-plane': '' } },
      { name: 'worker-0.ocp.example.com', ip: '10.0.0.20', labels: { 'node-role.kubernetes.io/worker': '' } },
      { name: 'worker-1.ocp.example.com', ip: '10.0.0.21', labels: { 'node-role.kubernetes.io/worker': '' } },
    ],
    podIP: (n, i) => `10.128.${n * 2}.${i + 10}`,
    nodeInfo: { kubeletVersion: 'v1.28.9+416ecaf', osImage: 'Red Hat Enterprise Linux CoreOS 415.92.202405070140-0 (Plow)', kernelVersion: '5.14.0-284.64.1.el9_2.x86_64', containerRuntimeVersion: 'cri-o://1.28.6-5.rhaos4.15.git4' },
    systemDaemonSets: ['ovnkube-node', 'dns-default', 'machine-config-daemon'],
    web: { type: 'NodePort' },
    staticPods: true,
    dualStack: false,
  },
};

const T0 = Date.parse('2024-05-01T09:00:00Z');
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString().replace('.000Z', 'Z');
let uid = 0;
const meta = (name: string, namespace: string | undefined, minutes: number, extra: Record<string, unknown> = {}) => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  uid: `00000000-0000-4000-8000-${String(++uid).padStart(12, '0')}`,
  resourceVersion: String(1000 + uid),
  creationTimestamp: at(minutes),
  ...extra,
});

interface PodShape {
  name: string;
  namespace: string;
  node?: number;
  ip?: string;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string };
  hostNetwork?: boolean;
  phase?: 'Running' | 'Pending' | 'Succeeded';
  state?: 'running' | 'crash' | 'completed';
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  minutes: number;
}

function pod(p: Profile, s: PodShape) {
  const phase = s.phase ?? 'Running';
  const ready = phase === 'Running' && s.state !== 'crash';
  const node = s.node === undefined ? undefined : p.nodes[s.node];
  const ip = s.hostNetwork === true && node !== undefined ? node.ip : s.ip;
  const state =
    s.state === 'crash'
      ? { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } }
      : s.state === 'completed' || phase === 'Succeeded'
        ? { terminated: { reason: 'Completed', exitCode: 0, startedAt: at(s.minutes), finishedAt: at(s.minutes + 1) } }
        : { running: { startedAt: at(s.minutes) } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta(s.name, s.namespace, s.minutes, {
      labels: s.labels ?? {},
      ...(s.owner === undefined ? {} : { ownerReferences: [{ apiVersion: s.owner.kind === 'Node' ? 'v1' : 'apps/v1', kind: s.owner.kind, name: s.owner.name, uid: 'owner-uid', controller: true, blockOwnerDeletion: true }] }),
    }),
    spec: {
      ...(node === undefined ? {} : { nodeName: node.name }),
      ...(s.hostNetwork === true ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
      restartPolicy: phase === 'Succeeded' ? 'Never' : 'Always',
      containers: [{ name: 'main', image: 'registry.example/app:1.0', ports: s.ports ?? [], readinessProbe: { httpGet: { path: '/healthz', port: 8080 } } }],
    },
    status: {
      phase,
      ...(ip === undefined ? {} : { podIP: ip, podIPs: [{ ip }], hostIP: node?.ip }),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }, ...(phase === 'Pending' ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] : [])],
      ...(phase === 'Pending' ? {} : { containerStatuses: [{ name: 'main', ready, restartCount: s.state === 'crash' ? 7 : 0, state }] }),
    },
  };
}

function node(p: Profile, n: NodeShape, i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: meta(n.name, undefined, i, { labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': n.name, ...n.labels } }),
    spec: n.podCIDR === undefined ? {} : { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
    status: {
      addresses: [{ type: 'InternalIP', address: n.ip }, { type: 'Hostname', address: n.name }],
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True', reason: 'KubeletReady' }],
      nodeInfo: { ...p.nodeInfo, architecture: 'amd64', operatingSystem: 'linux', kubeProxyVersion: p.nodeInfo.kubeletVersion },
    },
  };
}

interface SlicePod {
  ip: string;
  node?: string;
  pod: string;
  ready: boolean;
}

function slice(namespace: string, service: string, suffix: string, addressType: 'IPv4' | 'IPv6', ports: { name: string; port: number; protocol: string }[], endpoints: SlicePod[], managedBy = 'endpointslice-controller.k8s.io') {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta(`${service}-${suffix}`, namespace, 5, { labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': managedBy }, generateName: `${service}-` }),
    addressType,
    ports,
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      ...(e.node === undefined ? {} : { nodeName: e.node }),
      targetRef: { kind: e.node === undefined ? 'Endpoints' : 'Pod', name: e.pod, namespace },
    })),
  };
}

function service(p: Profile, index: number, namespace: string, name: string, spec: Record<string, unknown>, status: Record<string, unknown> = { loadBalancer: {} }) {
  const type = (spec.type as string | undefined) ?? 'ClusterIP';
  const ip = spec.clusterIP === 'None' || type === 'ExternalName' ? undefined : p.serviceIP(index);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(name, namespace, 3, { labels: { app: name } }),
    spec: {
      ...(ip === undefined ? {} : { clusterIP: ip, clusterIPs: [ip], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }),
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      type,
      ...spec,
    },
    status,
  };
}

/** The objects of one distribution's dump, in the order kubectl lists them (by kind as asked, then namespace and name). */
export function dumpObjects(d: Distribution): unknown[] {
  uid = 0;
  const p = PROFILES[d];
  const web = { app: 'web' };
  const webPods = p.nodes.map((_, n) => ({ name: `web-7d4b9c8f6d-${['abcde', 'fghjk', 'lmnpq'][n]}`, node: n, ip: p.podIP(n, 1) }));
  const dnsPods = [0, p.nodes.length - 1].map((n, i) => ({ name: `coredns-5d78c9869d-${['x7k2p', 'r9t4w'][i]}`, node: n, ip: p.podIP(n, 2) }));
  const dnsPorts = [
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    { name: 'metrics', port: 9153, protocol: 'TCP' },
  ];
  const webSpec =
    p.web.type === 'LoadBalancer'
      ? { type: 'LoadBalancer', selector: web, externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 31380 }] }
      : { type: 'NodePort', selector: web, externalTrafficPolicy: 'Cluster', ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', nodePort: 30080 }] };
  const services = [
    service(p, 0, 'default', 'kubernetes', { ports: [{ name: 'https', port: 443, targetPort: d === 'openshift' ? 6443 : 443, protocol: 'TCP' }] }),
    service(p, 1, 'default', 'web', webSpec, p.web.ingress === undefined ? { loadBalancer: {} } : { loadBalancer: { ingress: [p.web.ingress] } }),
    service(p, 2, 'default', 'web-headless', { clusterIP: 'None', selector: web, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }),
    service(p, 3, 'default', 'billing', { type: 'ExternalName', externalName: 'billing.example.com' }),
    {
      ...service(p, 9, 'kube-system', 'kube-dns', { selector: { 'k8s-app': 'kube-dns' }, ports: dnsPorts.map((x) => ({ ...x, targetPort: x.port })) }),
    },
  ];
  // kube-dns holds the range's tenth address, as every distribution's DNS add-on sets it.
  (services[4] as { spec: Record<string, unknown> }).spec.clusterIP = p.kubeDNS;
  (services[4] as { spec: Record<string, unknown> }).spec.clusterIPs = [p.kubeDNS];
  if (p.dualStack) {
    const s = services[1] as { spec: Record<string, unknown> };
    s.spec.ipFamilies = ['IPv4', 'IPv6'];
    s.spec.ipFamilyPolicy = 'PreferDualStack';
    s.spec.clusterIPs = [s.spec.clusterIP, 'fd00:10:96::1a2b'];
  }
  const kubernetesEndpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta('kubernetes', 'default', 0, { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }),
    subsets: [{ addresses: p.controlPlane.map((ip) => ({ ip })), ports: [{ name: 'https', port: d === 'openshift' ? 6443 : 443, protocol: 'TCP' }] }],
  };
  const webEndpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: meta('web', 'default', 5),
    subsets: [{ addresses: webPods.map((w) => ({ ip: w.ip, nodeName: p.nodes[w.node].name, targetRef: { kind: 'Pod', name: w.name, namespace: 'default' } })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
  };
  const slices = [
    slice('default', 'kubernetes', 'apiserver', 'IPv4', [{ name: 'https', port: d === 'openshift' ? 6443 : 443, protocol: 'TCP' }], p.controlPlane.map((ip) => ({ ip, pod: 'kubernetes', ready: true })), 'endpointslice-controller.k8s.io').valueOf(),
    slice('default', 'web', 'x2v4b', 'IPv4', [{ name: 'http', port: 8080, protocol: 'TCP' }], webPods.map((w) => ({ ip: w.ip, node: p.nodes[w.node].name, pod: w.name, ready: true }))),
    slice('default', 'web-headless', 'm8n2c', 'IPv4', [{ name: 'http', port: 8080, protocol: 'TCP' }], webPods.map((w) => ({ ip: w.ip, node: p.nodes[w.node].name, pod: w.name, ready: true }))),
    slice('kube-system', 'kube-dns', 'q4r7s', 'IPv4', dnsPorts, dnsPods.map((x) => ({ ip: x.ip, node: p.nodes[x.node].name, pod: x.name, ready: true }))),
  ];
  // The kubernetes slice's name is the service's own, as the apiserver's reconciler writes it.
  (slices[0] as { metadata: { name: string } }).metadata.name = 'kubernetes';
  if (p.dualStack) {
    slices.push(slice('default', 'web', 'v6p9z', 'IPv6', [{ name: 'http', port: 8080, protocol: 'TCP' }], webPods.map((w, i) => ({ ip: `fd00:10:8::${(i + 1).toString(16)}a`, node: p.nodes[w.node].name, pod: w.name, ready: true }))));
  }
  const pods: unknown[] = [
    ...webPods.map((w) => pod(p, { ...w, namespace: 'default', labels: { ...web, 'pod-template-hash': '7d4b9c8f6d' }, owner: { kind: 'ReplicaSet', name: 'web-7d4b9c8f6d' }, ports: [{ name: 'http', containerPort: 8080 }], minutes: 10 })),
    pod(p, { name: 'db-migrate-28551840-v5x7k', namespace: 'default', node: 0, ip: p.podIP(0, 3), labels: { 'job-name': 'db-migrate-28551840' }, owner: { kind: 'Job', name: 'db-migrate-28551840' }, phase: 'Succeeded', minutes: 12 }),
    pod(p, { name: 'report-6c9f7d5b4-zz9rt', namespace: 'default', labels: { app: 'report' }, owner: { kind: 'ReplicaSet', name: 'report-6c9f7d5b4' }, phase: 'Pending', minutes: 30 }),
    pod(p, { name: 'worker-0', namespace: 'default', node: p.nodes.length - 1, ip: p.podIP(p.nodes.length - 1, 4), labels: { app: 'worker' }, owner: { kind: 'StatefulSet', name: 'worker' }, state: 'crash', minutes: 20 }),
    ...dnsPods.map((x) => pod(p, { ...x, namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, owner: { kind: 'ReplicaSet', name: 'coredns-5d78c9869d' }, ports: dnsPorts.map((q) => ({ name: q.name, containerPort: q.port, protocol: q.protocol })), minutes: 2 })),
    ...p.systemDaemonSets.flatMap((ds) =>
      p.nodes.map((_, n) => pod(p, { name: `${ds}-${'bcdfg'[n]}${'hjklm'[n]}${'npqrs'[n]}x${n}`, namespace: d === 'openshift' ? 'openshift-system' : 'kube-system', node: n, hostNetwork: true, labels: { 'k8s-app': ds }, owner: { kind: 'DaemonSet', name: ds }, minutes: 1 })),
    ),
    ...(p.staticPods ? [pod(p, { name: `kube-apiserver-${p.nodes[0].name}`, namespace: 'kube-system', node: 0, hostNetwork: true, labels: { component: 'kube-apiserver', tier: 'control-plane' }, owner: { kind: 'Node', name: p.nodes[0].name }, minutes: 0 })] : []),
  ];
  return [...services, kubernetesEndpoints, webEndpoints, ...slices, ...pods, ...p.nodes.map((n, i) => node(p, n, i))];
}

/** The dump as `kubectl get ... -o yaml` prints it: one v1 List. */
export const dumpList = (d: Distribution) => ({ apiVersion: 'v1', kind: 'List', items: dumpObjects(d), metadata: { resourceVersion: '' } });

/** What the web app is reached on: namespace/name of the NodePort or LoadBalancer service. */
export const WEB_SERVICE = 'default/web';
