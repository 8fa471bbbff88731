// The tutorial's cluster as applied: pods and addresses exactly as the tutorial's outputs show them.

import { buildCluster } from '../../src/cluster/build.js';
import type { Cluster } from '../../src/cluster/model.js';
import { docs, tutorialDocs } from '../support/manifests.js';

const tutorialPodNames = ['nginx-deployment-7c79c4bf97-4xkbm', 'nginx-deployment-7c79c4bf97-9fzpw', 'nginx-deployment-7c79c4bf97-xm7qk'];
const tutorialPodIPs = ['10.244.0.5', '10.244.1.3', '10.244.2.7'];

/** So that its printed lines can be compared verbatim. */
export const tutorialAsApplied = (): Cluster => {
  const [, service] = tutorialDocs();
  const svc = service.doc as { spec: Record<string, unknown> };
  const pods = tutorialPodNames.map((name, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'nginx' } },
    spec: { nodeName: `node${i + 1}`, containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
    status: { phase: 'Running', podIP: tutorialPodIPs[i], conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  return buildCluster([...docs(...pods), { ...service, doc: { ...svc, spec: { ...svc.spec, clusterIP: '10.96.175.233' } } }]).cluster;
};
