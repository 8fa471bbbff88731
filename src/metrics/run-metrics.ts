// The per-run metrics, declared once: the column list gives the row type and the
// order of runs.csv.

import { OUTCOMES } from './outcome.js';

export const RUN_METRIC_COLUMNS = [
  'requests',
  // How each measured request ended.
  ...OUTCOMES,
  // Shares of the measured requests: ok, and every failure outcome together (in flight at the
  // end is neither).
  'ok_share',
  'error_share',
  'in_flight_at_end',
  /** Replies that reached their client inside the window, per second. */
  'throughput_per_s',
  /** Measured requests that ended ok, per second of the window. */
  'goodput_per_s',
  // Latency percentiles are those of the successful (ok) requests.
  'latency_mean_ms',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p99_ms',
  'latency_p999_ms',
  'latency_max_ms',
  /** Mean time from sending to the client seeing its failure, over the failed requests. */
  'failed_latency_mean_ms',
  'network_mean_ms',
  'dataplane_mean_ms',
  'pod_queue_mean_ms',
  'service_mean_ms',
  'hops_mean',
  'cross_node_share',
  'client_ip_preserved_share',
  'balance_cv',
  'balance_jain',
  'balance_max_over_mean',
  'balance_min_over_mean',
  'rules_walked_mean',
  'rules_walked_max',
  'node_cpu_util_max',
  'conntrack_peak',
  // The kernel's conntrack statistics, summed over nodes: entries the GC worker killed early, and
  // new connections refused because the table was full (each SYN, retransmissions included).
  'conntrack_early_drops',
  'conntrack_insert_failures',
  'syncs',
  'sync_lag_mean_ms',
  'sync_lag_max_ms',
  'events',
] as const;

export type RunMetricName = (typeof RUN_METRIC_COLUMNS)[number];
export type RunMetrics = Readonly<Record<RunMetricName, number>>;
