// The run's figures once the event queue is empty: metrics from the recorder, each pod's Little's
// law sides, each node's ingress, CPU, syncs and conntrack peak, and the time series.

import type { Node } from '../cluster/model.js';
import type { Dataplane } from './dataplane.js';
import type { Outcomes } from './outcomes.js';
import type { PodFleet } from './pod-fleet.js';
import type { RunResult } from './run-result.js';

export interface FinishedRun {
  readonly nodes: readonly Node[];
  readonly warmupNs: number;
  readonly endNs: number;
  /** The clock when the last event ran. */
  readonly nowNs: number;
  readonly events: number;
  readonly inFlight: number;
  readonly softirqCores: number;
}

export function collectResults(run: FinishedRun, outcomes: Outcomes, pods: PodFleet, dataplane: Dataplane): RunResult {
  const windowNs = run.endNs - run.warmupNs;
  const nodeStats = run.nodes.map((_, i) => dataplane.proxies.stats(i));
  const syncs = nodeStats.reduce((a, st) => a + st.syncs, 0);
  const lagSum = nodeStats.reduce((a, st) => a + st.lagSumNs, 0);
  const lagMax = nodeStats.reduce((a, st) => Math.max(a, st.lagMaxNs), 0);
  const recorder = outcomes.recorder;
  const metrics = recorder.toMetrics({
    durationNs: windowNs,
    softirqCores: run.softirqCores,
    inFlight: run.inFlight,
    events: run.events,
    syncs,
    syncLagMeanNs: syncs > 0 ? lagSum / syncs : Number.NaN,
    syncLagMaxNs: syncs > 0 ? lagMax : Number.NaN,
    conntrackPeak: dataplane.conntrack.reduce((a, c) => Math.max(a, c.peak), 0),
    conntrackEarlyDrops: dataplane.conntrack.reduce((a, c) => a + c.earlyDrops, 0),
    conntrackInsertFailures: dataplane.conntrack.reduce((a, c) => a + c.insertFailures, 0),
    latency: outcomes.measuredLatency(),
  });
  return {
    metrics,
    pods: pods.results(recorder.podRequests, windowNs, run.nowNs),
    nodes: run.nodes.map((n, i) => ({
      node: n.name,
      zone: n.zone,
      ingressRequests: outcomes.ingressRequests[i],
      cpuUtil: recorder.nodeCpuUtil(i, windowNs, run.softirqCores),
      syncs: nodeStats[i].syncs,
      syncLagMaxMs: nodeStats[i].syncs > 0 ? nodeStats[i].lagMaxNs / 1e6 : Number.NaN,
      conntrackPeak: dataplane.conntrack[i].peak,
      conntrackEarlyDrops: dataplane.conntrack[i].earlyDrops,
      conntrackInsertFailures: dataplane.conntrack[i].insertFailures,
    })),
    timeseries: outcomes.series.rows(),
  };
}
