// Cluster-build benchmark: wall time of buildCluster for 100,000 services (20,000 NodePort, every
// tenth selecting a 50-pod Deployment) on 10 nodes — the input the cluster tests build at scale.

import { buildCluster } from '../cluster/build.js';
import type { ManifestDoc } from '../cluster/manifest-doc.js';

export const CLUSTER_BUILD_SERVICES = 100_000;

function manifests(services: number): ManifestDoc[] {
  const labels = { app: 'web' };
  const objects: unknown[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 50, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 80 }] }] } } },
    },
  ];
  for (let i = 0; i < services; i++) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}` },
      spec: { type: i < services / 5 ? 'NodePort' : 'ClusterIP', selector: { app: i % 10 === 0 ? 'web' : `none-${i}` }, ports: [{ port: 80 }] },
    });
  }
  return objects.map((doc, index) => ({ file: 'bench.yaml', index, doc }));
}

/** Median wall time of three builds, in ms, and the services built. */
export function benchClusterBuild(services = CLUSTER_BUILD_SERVICES): { medianMs: number; services: number } {
  const input = manifests(services);
  const times: number[] = [];
  let built = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = process.hrtime.bigint();
    const { cluster } = buildCluster(input, { nodes: 10, nodePortRange: '20000-59999' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    built = cluster.services.length;
  }
  return { medianMs: times.sort((a, b) => a - b)[1], services: built };
}
