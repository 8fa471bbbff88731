// Kubernetes-sized clusters: 5,000 nodes, about 150,000 pods and 10,000 Services (2,000 of them
// NodePort) in each proxy mode, against a 3-node run of the same traffic. The figures are the
// cluster build plus every node's kube-proxy tables (wall time and peak RSS), and the wall time
// per simulated request once the run starts. The traffic is mmc-farm's (experiments/
// bench-mmc-farm.yaml) sent to the same 30-pod `farm` Service in both clusters.

import type { ManifestDoc } from '../cluster/manifest-doc.js';
import { resolveCluster, simConfigFor } from '../experiment/resolve.js';
import { validateExperiment } from '../experiment/schema.js';
import { applySets } from '../cli/commands/run.js';
import { manifestPaths, readExperimentFile } from '../io/read-experiment.js';
import { readManifestFiles } from '../io/read-manifests.js';
import { simulate } from '../sim/simulate.js';
import type { ProxyMode } from '../proxy/types.js';

const FARM = 'experiments/bench-mmc-farm.yaml';
/** The Kubernetes scalability thresholds (sig-scalability's thresholds.md): 5,000 nodes, 150,000 pods, 10,000 Services. */
export const BIG = { nodes: 5000, services: 10_000, nodePortServices: 2000, podsPerService: 15 } as const;

/**
 * Every Service but the target selects its own `podsPerService` pods. They are bare Pods, which
 * the cluster builder places round-robin over the nodes (30 a node), where a Deployment's pods
 * would all start on node 1.
 */
function backgroundManifests(): ManifestDoc[] {
  const objects: unknown[] = [];
  for (let i = 1; i < BIG.services; i++) {
    const labels = { app: `app-${i}` };
    for (let k = 0; k < BIG.podsPerService; k++) {
      objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `app-${i}-${k}`, labels }, spec: { containers: [{ name: 'app', image: 'nginx', ports: [{ containerPort: 8080 }] }] } });
    }
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `svc-${i}` },
      spec: { type: i < BIG.nodePortServices ? 'NodePort' : 'ClusterIP', selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    });
  }
  return objects.map((doc, index) => ({ file: 'big-cluster.yaml', index, doc }));
}

export interface BigClusterFigures {
  readonly nodes: number;
  readonly services: number;
  readonly pods: number;
  /** Build of the cluster model, then every node's tables, up to the first event. */
  readonly setupS: number;
  readonly requests: number;
  /** Wall ns per simulated request, from the first event to the last. */
  readonly nsPerRequest: number;
  readonly peakRssMiB: number;
}

const now = (): number => Number(process.hrtime.bigint());

/** One run of the farm traffic for `durationS` simulated seconds, on 3 nodes or on the big cluster. */
export function benchBigCluster(mode: ProxyMode, big: boolean, durationS: number, nodes: number = BIG.nodes): BigClusterFigures {
  const sets = [`proxy.mode=${mode}`, `durationS=${durationS}`, 'cluster.service=default/farm'];
  if (big) sets.push(`cluster.nodes=${nodes}`, 'cluster.nodePortRange=30000-32767');
  const { experiment, issues } = validateExperiment(applySets(readExperimentFile(FARM), sets), FARM);
  if (!experiment) throw new Error(issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  const farmDocs = readManifestFiles(manifestPaths(FARM, experiment.cluster.manifests));
  const docs = big ? [...farmDocs, ...backgroundManifests()] : farmDocs;
  const t0 = now();
  const resolved = resolveCluster(experiment, docs);
  let started = 0;
  const result = simulate(simConfigFor(experiment, resolved, 0), { onStart: () => (started = now()) });
  const t1 = now();
  const requests = result.metrics.requests;
  return {
    nodes: resolved.cluster.nodes.length,
    services: resolved.cluster.services.length,
    pods: resolved.cluster.pods.length,
    setupS: (started - t0) / 1e9,
    requests,
    nsPerRequest: (t1 - started) / requests,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
}
