// Hand-built clusters for tests: nodes with pods per node and one NodePort service over them.

import type { Cluster, Endpoint, Node, Pod, Service, TrafficPolicy } from '../../src/cluster/model.js';

export function tinyCluster(podsPerNode: readonly number[], policy: TrafficPolicy = 'Cluster', zones?: readonly string[]): Cluster {
  const nodes: Node[] = podsPerNode.map((_, i) => ({ name: `node-${i + 1}`, ip: `192.168.49.${i + 2}`, zone: zones?.[i] ?? 'zone-a', ready: true }));
  const pods: Pod[] = [];
  podsPerNode.forEach((count, n) => {
    for (let k = 0; k < count; k++) {
      pods.push({
        namespace: 'default',
        name: `web-${pods.length}`,
        labels: { app: 'web' },
        nodeName: nodes[n].name,
        ip: `10.244.${n}.${k + 2}`,
        ready: true,
        containers: [{ name: 'web', ports: [{ containerPort: 80, protocol: 'TCP' }], hasReadinessProbe: true }],
      });
    }
  });
  const service: Service = {
    namespace: 'default',
    name: 'web',
    type: 'NodePort',
    clusterIP: '10.96.0.10',
    selector: { app: 'web' },
    ports: [{ name: '', protocol: 'TCP', port: 80, targetPort: 80, nodePort: 30080 }],
    externalTrafficPolicy: policy,
    sessionAffinity: 'None',
    sessionAffinityTimeoutS: 10800,
    externalIPs: [],
  };
  const endpoints: Endpoint[] = pods.map((p) => ({ ip: p.ip, nodeName: p.nodeName, ready: true, serving: true, terminating: false, podName: p.name }));
  return {
    nodes,
    pods,
    deployments: [],
    services: [service],
    endpointSlices: [{ namespace: 'default', name: 'web-abcde', serviceName: 'web', ports: [{ name: '', protocol: 'TCP', port: 80 }], endpoints }],
  };
}
