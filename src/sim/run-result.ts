// What a simulated run hands back: its metrics, per-pod and per-node figures and time series, and
// (for observers such as tests and traces) one record per finished request.

import type { RunMetrics } from '../metrics/run-metrics.js';
import type { TimeseriesRow } from '../metrics/timeseries.js';

export interface PodResult {
  readonly pod: string;
  readonly node: string;
  readonly requests: number;
  /** Little's law's two sides, measured independently: time-average in system, and λ·W. */
  readonly meanInSystem: number;
  readonly throughputPerS: number;
  readonly meanTimeInSystemMs: number;
}

export interface NodeResult {
  readonly node: string;
  readonly zone: string;
  readonly ingressRequests: number;
  readonly cpuUtil: number;
  readonly syncs: number;
  readonly syncLagMaxMs: number;
  readonly conntrackPeak: number;
  /** Entries the GC worker killed early, and new connections the full table refused. */
  readonly conntrackEarlyDrops: number;
  readonly conntrackInsertFailures: number;
}

/** One finished request, for observers (tests, traces). */
export interface RequestRecord {
  readonly client: number;
  /** An outcome code (metrics/outcome.ts). */
  readonly outcome: number;
  readonly sentAtNs: number;
  readonly endedAtNs: number;
  /** The node the balancer chose, or -1 when it had none in service. */
  readonly ingressNode: number;
  /** Index into RunResult.pods, or -1 when it reached none. */
  readonly pod: number;
  readonly newConnection: boolean;
  /** Sent after the warm-up: counted in the run's metrics. */
  readonly measured: boolean;
  // Where its time went until it ended (network includes waiting for retransmissions).
  readonly networkNs: number;
  readonly dataplaneNs: number;
  readonly podQueueNs: number;
  readonly serviceNs: number;
}

export interface SimObserver {
  /** Before the first request: the names that RequestRecord's node and pod indexes refer to. */
  readonly onStart?: (names: { readonly nodes: readonly string[]; readonly pods: readonly string[] }) => void;
  readonly onRequestEnd?: (r: RequestRecord) => void;
  /** The share of the run's simulated time (warm-up included) done so far, now and then. */
  readonly onProgress?: (fraction: number) => void;
}

export interface RunResult {
  readonly metrics: RunMetrics;
  readonly pods: readonly PodResult[];
  readonly nodes: readonly NodeResult[];
  readonly timeseries: readonly TimeseriesRow[];
}
