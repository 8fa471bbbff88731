// The package's typed API (`import { … } from 'nodeport-sim'`): thin wrappers and re-exports over
// the modules the CLI itself runs, so a program gets the same numbers as `nodeport-sim run`.
// Nothing here touches process or console; a user's mistake is thrown as an InputError.

import type { Cluster } from './cluster/model.js';
import { InputError } from './input/problems.js';
import { setPath } from './experiment/plan.js';
import type { ExperimentResults } from './experiment/results.js';
import { type RunnerOptions, runExperiment as runPlan } from './experiment/runner.js';
import type { Experiment } from './experiment/schema.js';
import { validateExperiment } from './experiment/schema.js';
import { locateInFile } from './cli/load-experiment.js';
import { manifestPaths, readExperimentSource } from './io/read-experiment.js';
import { type ManifestDoc, readManifestFiles } from './io/read-manifests.js';
import { type RulesFormat, renderNodeRules } from './proxy/render.js';
import { buildServicePorts } from './proxy/service-map.js';
import type { IpvsScheduler, ProxyMode } from './proxy/types.js';

/** An experiment file read, validated and with its manifests read: what `runExperiment` takes. */
export interface LoadedExperiment {
  /** The experiment file, as given; issues found later (a sweep point's placement) name it. */
  readonly file: string;
  /** The experiment after validation and defaults (what `experiment.resolved.json` holds). */
  readonly experiment: Experiment;
  /** The documents of `cluster.manifests`, read relative to the experiment file. */
  readonly docs: readonly ManifestDoc[];
}

/**
 * Reads and validates an experiment file, as `nodeport-sim run FILE` does. `overrides` maps
 * dotted paths to values applied before validation, like `--set` (`{ 'traffic.ratePerS': 2000,
 * seed: 7 }`). Throws an InputError listing every problem (file, dotted path, value, expected).
 */
export function loadExperiment(file: string, overrides: Readonly<Record<string, unknown>> = {}): LoadedExperiment {
  const { doc, text } = readExperimentSource(file);
  let raw = doc;
  for (const [path, value] of Object.entries(overrides)) raw = setPath(raw, path, value);
  const { experiment, issues } = validateExperiment(raw, file, locateInFile(text, Object.keys(overrides)));
  if (!experiment) throw new InputError(issues);
  return { file, experiment, docs: readManifestFiles(manifestPaths(file, experiment.cluster.manifests)) };
}

/** `onStart`, `onRunDone`, `onRunProgress` (progress) and `shard` (run only `run % count == index`). */
export type RunExperimentOptions = Omit<RunnerOptions, 'file' | 'runs' | 'clusters'>;

/**
 * Runs every sweep point × replication of a loaded experiment and returns the tidy rows that
 * `runs.csv`, `pods.csv`, `nodes.csv` and `timeseries.csv` are written from. Synchronous and
 * deterministic: the same experiment and seed give the same rows.
 */
export function runExperiment(loaded: LoadedExperiment, options: RunExperimentOptions = {}): ExperimentResults {
  return runPlan(loaded.experiment, loaded.docs, { ...options, file: loaded.file });
}

export interface RenderRulesOptions {
  readonly mode: ProxyMode;
  /** The node whose rules to print (its InternalIP is the IPVS virtual server's address). */
  readonly node: string;
  /** Default `rr`. */
  readonly ipvsScheduler?: IpvsScheduler;
  /** kube-proxy's `--cluster-cidr` for its local-traffic detector; '' for none. */
  readonly clusterCidr?: string;
  /** restore (default): what kube-proxy writes; save: what iptables-save, ipset and ipvsadm -Sn print. */
  readonly format?: RulesFormat;
}

/**
 * The rules kube-proxy would program on one node (iptables-save, ipvsadm -Ln or nft list
 * format), as `nodeport-sim rules` prints them. Throws an InputError for a node not in the cluster.
 */
export function renderRules(cluster: Cluster, options: RenderRulesOptions): string {
  const node = cluster.nodes.find((n) => n.name === options.node);
  if (!node) {
    throw new InputError([{ path: 'node', message: `got "${options.node}", expected one of the cluster's nodes: ${cluster.nodes.map((n) => n.name).join(', ')}` }]);
  }
  return renderNodeRules(options.mode, node.name, buildServicePorts(cluster), {
    nodeIP: node.ip,
    ipvsScheduler: options.ipvsScheduler ?? 'rr',
    ...(options.clusterCidr !== undefined ? { podCIDR: options.clusterCidr } : {}),
  }, options.format ?? 'restore');
}

// Re-exported as they are.
export { buildCluster, type BuildResult, type ClusterOptions } from './cluster/build.js';
export type { Cluster, Endpoint, EndpointSlice, Node, Pod, Service } from './cluster/model.js';
export { formatIssue, InputError, type InputIssue } from './input/problems.js';
export { type PlannedRun, planRuns, type SweepPoint } from './experiment/plan.js';
export { type ResolvedCluster, resolveCluster, simConfigFor } from './experiment/resolve.js';
export type { Cell, ExperimentResults, Row } from './experiment/results.js';
export type { RulesFormat } from './proxy/render.js';
export type { RunnerOptions, RunProgress } from './experiment/runner.js';
export { type Experiment, validateExperiment } from './experiment/schema.js';
export { summarize } from './experiment/summary.js';
export { parseManifestText, readManifestFiles, type ManifestDoc } from './io/read-manifests.js';
export { resultFiles, type ResultOptions, writeResults } from './io/write-results.js';
export { RUN_METRIC_COLUMNS, type RunMetricName, type RunMetrics } from './metrics/run-metrics.js';
export type { IpvsScheduler, ProxyMode } from './proxy/types.js';
export type { SimConfig } from './sim/config.js';
export { type NodeResult, type PodResult, type RunResult, simulate } from './sim/simulate.js';
