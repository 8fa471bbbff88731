// Manifest builders shared by the cluster and kubectl tests: plain objects shaped like real YAML documents.

import type { ManifestDoc } from '../../src/cluster/manifest-doc.js';
import { readManifestFiles } from '../../src/io/read-manifests.js';

export const TUTORIAL = 'experiments/manifests/nginx.yaml';

export const tutorialDocs = (): ManifestDoc[] => readManifestFiles([TUTORIAL]);

/** The tutorial manifests after `kubectl scale deployment nginx-deployment --replicas=N`. */
export const scaledTutorial = (replicas: number): ManifestDoc[] =>
  tutorialDocs().map((d) => {
    const doc = d.doc as { kind: string; spec: Record<string, unknown> };
    return doc.kind === 'Deployment' ? { ...d, doc: { ...doc, spec: { ...doc.spec, replicas } } } : d;
  });

export const docs = (...objects: unknown[]): ManifestDoc[] => objects.map((doc, index) => ({ file: 'test.yaml', index, doc }));

export interface ContainerPortSpec {
  containerPort: number;
  name?: string;
}

export const deployment = (name: string, replicas: number, labels: Record<string, string>, ports: ContainerPortSpec[] = [{ containerPort: 80 }], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: { containers: [{ name: 'app', image: 'nginx', ports, ...extra }] },
    },
  },
});

export const nodePortService = (name: string, selector: Record<string, string> | undefined, port: Record<string, unknown> = {}, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: {
    type: 'NodePort',
    ...(selector === undefined ? {} : { selector }),
    ports: [{ port: 80, targetPort: 80, ...port }],
    ...spec,
  },
});

export const pod = (name: string, labels: Record<string, string>, nodeName: string | undefined, ports: ContainerPortSpec[], ready = true) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { ...(nodeName === undefined ? {} : { nodeName }), containers: [{ name: 'app', ports }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
