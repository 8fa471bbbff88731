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
import { spawnSync } from 'node:child_process';
import { PROXY_MODES, type ProxyMode } from '../proxy/types.js';

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

/** Simulated seconds of the short and long runs: 210,000 and 630,000 requests of the farm's traffic. */
const SHORT_S = 5;
const LONG_S = 15;
const ROUNDS = 2;

/** One run in a child process of the bench (`big <mode> <small|big> <durationS> [nodes]`), so its peak RSS is its own. */
function child(self: string, mode: ProxyMode, size: 'small' | 'big', durationS: number, nodes: number): BigClusterFigures {
  const r = spawnSync(process.execPath, [self, 'big', mode, size, String(durationS), String(nodes)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`bench big ${mode} ${size}: ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as BigClusterFigures;
}

const range = (xs: readonly number[], digits: number): string => {
  const lo = Math.min(...xs).toFixed(digits);
  const hi = Math.max(...xs).toFixed(digits);
  return lo === hi ? lo : `${lo}–${hi}`;
};

/**
 * `big [mode] [nodes]`: per mode, ROUNDS rounds of the 3-node and the big cluster, each for a
 * short and a long run, alternately. The per-request figure is the long run's; the marginal one
 * (the difference of the two runs over the difference of their requests) leaves out what every
 * node does once, on its first connections (its conntrack table's first growth, its table's
 * first lookup of the target), as the `services` case does for its setup.
 * `big <mode> <small|big> <durationS> [nodes]` is one run, printed as JSON.
 */
export function benchBig(log: (line: string) => void, args: readonly string[], self: string): void {
  const mode = args[1] as ProxyMode | undefined;
  if (mode !== undefined && !PROXY_MODES.includes(mode)) throw new Error(`bench big: no mode ${mode}; modes: ${PROXY_MODES.join(', ')}`);
  if (args[2] === 'small' || args[2] === 'big') {
    log(JSON.stringify(benchBigCluster(mode as ProxyMode, args[2] === 'big', Number(args[3]), args[4] === undefined ? BIG.nodes : Number(args[4]))));
    return;
  }
  const nodes = args[2] === undefined ? BIG.nodes : Number(args[2]);
  log(`kube-proxy at scale · ${nodes.toLocaleString('en-US')} nodes, ${BIG.services.toLocaleString('en-US')} Services (${BIG.nodePortServices.toLocaleString('en-US')} NodePort), ${BIG.podsPerService} pods each, vs 3 nodes; mmc-farm traffic, ${SHORT_S} and ${LONG_S} simulated s, ${ROUNDS} rounds`);
  for (const m of mode === undefined ? PROXY_MODES : [mode]) {
    const setup: number[] = [];
    const rss: number[] = [];
    const ratio: number[] = [];
    const marginal: number[] = [];
    const per: string[] = [];
    for (let k = 0; k < ROUNDS; k++) {
      const s5 = child(self, m, 'small', SHORT_S, 3);
      const s15 = child(self, m, 'small', LONG_S, 3);
      const b5 = child(self, m, 'big', SHORT_S, nodes);
      const b15 = child(self, m, 'big', LONG_S, nodes);
      const wall = (f: BigClusterFigures) => f.nsPerRequest * f.requests;
      const marginalNs = (a: BigClusterFigures, b: BigClusterFigures) => (wall(b) - wall(a)) / (b.requests - a.requests);
      setup.push(b5.setupS, b15.setupS);
      rss.push(b5.peakRssMiB, b15.peakRssMiB);
      ratio.push(b15.nsPerRequest / s15.nsPerRequest);
      marginal.push(marginalNs(b5, b15) / marginalNs(s5, s15));
      per.push(`${b15.nsPerRequest.toFixed(0)} vs ${s15.nsPerRequest.toFixed(0)}`);
    }
    log(`  ${m.padEnd(8)} build+compile ${range(setup, 2)} s (target <= 10), peak RSS ${range(rss, 0)} MiB (target <= 4096), ns/request ${per.join(', ')}: ${range(ratio, 2)}× (target <= 2×), marginal ${range(marginal, 2)}×`);
  }
}
