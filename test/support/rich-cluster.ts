// A cluster with what the tables, objects and rules must carry, as manifest objects: node roles,
// zones and readiness; a Deployment with a named port and a readiness probe; a crash-looping pod in
// another namespace; NodePort/Local with ClientIP affinity, a LoadBalancer with external IPs and
// two ports, a ClusterIP service, and a selector-less service with a hand-made EndpointSlice.

export const RICH_CLUSTER: readonly object[] = [
  ...[
    ['node1', '192.168.1.10', 'zone-a', 'True', 'control-plane'],
    ['node2', '192.168.1.11', 'zone-b', 'False', undefined],
    ['node3', '192.168.1.12', 'zone-a', 'True', undefined],
  ].map(([name, ip, zone, ready, role]) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'topology.kubernetes.io/zone': zone, ...(role === undefined ? {} : { [`node-role.kubernetes.io/${role}`]: '' }) } },
    status: { addresses: [{ type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready }], nodeInfo: { kubeletVersion: 'v1.30.2' } },
  })),
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas: 4,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/', port: 8080 } } }] },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'data', labels: { app: 'db' } },
    spec: { nodeName: 'node3', containers: [{ name: 'db', ports: [{ containerPort: 5432 }] }, { name: 'sidecar' }] },
    status: {
      phase: 'Running',
      podIP: '10.244.2.9',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'db', restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } } }],
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', labels: { app: 'web', team: 'edge' }, annotations: { 'example.com/owner': 'edge team' } },
    spec: {
      type: 'NodePort',
      selector: { app: 'web' },
      ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30100 }],
      externalTrafficPolicy: 'Local',
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'lb' },
    spec: {
      type: 'LoadBalancer',
      selector: { app: 'web' },
      externalIPs: ['203.0.113.7'],
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'alt', port: 8081, targetPort: 8080, protocol: 'TCP' },
      ],
    },
  },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'data' }, spec: { selector: { app: 'db' }, ports: [{ port: 5432 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'manual' }, spec: { type: 'NodePort', ports: [{ port: 9000 }] } },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'manual-1', labels: { 'kubernetes.io/service-name': 'manual' } },
    addressType: 'IPv4',
    ports: [{ name: '', port: 9000, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.0.5.5'], conditions: { ready: true }, nodeName: 'node1' },
      { addresses: ['10.0.5.6'], conditions: { ready: false }, nodeName: 'node3' },
    ],
  },
];
