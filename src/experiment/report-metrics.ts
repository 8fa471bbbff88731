// Which metrics report.html's table shows beside the outcomes: the experiment's `report.metrics`,
// or else those that answer the question its swept keys ask.

import type { RunMetricName } from '../metrics/run-metrics.js';

/** Always shown: what was delivered and how fast (latency of the successful requests). */
const BASE: readonly RunMetricName[] = ['goodput_per_s', 'latency_p50_ms', 'latency_p99_ms'];

/** Per swept key (or key prefix), the metrics its question is about. */
const BY_KEY: readonly (readonly [string, readonly RunMetricName[]])[] = [
  ['service.externalTrafficPolicy', ['hops_mean', 'cross_node_share', 'client_ip_preserved_share', 'balance_max_over_mean']],
  ['service.sessionAffinity', ['balance_max_over_mean', 'balance_cv']],
  ['proxy.mode', ['rules_walked_mean', 'node_cpu_util_max']],
  ['proxy.ipvsScheduler', ['balance_max_over_mean', 'balance_cv']],
  ['proxy.', ['syncs', 'sync_lag_mean_ms', 'sync_lag_max_ms']],
  ['cluster.backgroundServices', ['rules_walked_mean', 'node_cpu_util_max', 'sync_lag_max_ms']],
  ['cluster.placement', ['balance_max_over_mean', 'cross_node_share']],
  // conntrack_peak is read against maxEntries, which has its own column when swept.
  ['conntrack.', ['conntrack_peak']],
  ['service.internalTrafficPolicy', ['cross_node_share', 'balance_max_over_mean']],
  // In-cluster clients: whether the pod sees them, and whether their node's endpoints served them.
  ['traffic.source', ['client_ip_preserved_share', 'cross_node_share']],
  ['traffic.destination', ['client_ip_preserved_share', 'cross_node_share', 'hops_mean']],
  ['traffic.ratePerS', ['throughput_per_s', 'latency_mean_ms', 'node_cpu_util_max']],
  ['traffic.requestsPerConnection', ['balance_max_over_mean', 'balance_cv']],
  ['traffic.', ['latency_mean_ms']],
  ['pods.', ['latency_mean_ms', 'pod_queue_mean_ms']],
  ['nodes.', ['node_cpu_util_max', 'dataplane_mean_ms']],
  ['costs.', ['dataplane_mean_ms', 'node_cpu_util_max']],
];

/** When nothing is swept, or the swept keys name nothing above. */
const FALLBACK: readonly RunMetricName[] = ['latency_mean_ms', 'hops_mean', 'balance_max_over_mean'];

export function reportMetrics(chosen: readonly string[], params: readonly string[], hasEvents: boolean): RunMetricName[] {
  if (chosen.length > 0) return [...new Set(chosen as RunMetricName[])];
  const extra = params.flatMap((p) => BY_KEY.find(([key]) => (key.endsWith('.') ? p.startsWith(key) : p === key))?.[1] ?? []);
  // Cluster changes move endpoints: how long kube-proxy took to follow them matters.
  const events: RunMetricName[] = hasEvents ? ['sync_lag_max_ms'] : [];
  return [...new Set([...BASE, ...(extra.length > 0 ? extra : FALLBACK), ...events])];
}
