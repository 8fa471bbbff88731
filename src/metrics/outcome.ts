// How a request ends: the simulator's outcome codes, which index the per-outcome
// counters, and the metric names runs.csv gives them.

export const OUTCOMES = [
  'ok',
  'dropped_no_local_endpoint',
  'rejected_no_endpoints',
  'failed_stale_endpoint',
  'queue_full',
  'conntrack_full',
  'timeout',
  // Appended last so that every older outcome keeps its code.
  'refused_no_listener',
  // A node firewall (nodes.firewall) dropped the SYN before kube-proxy saw it.
  'blocked_by_firewall',
  // kube-proxy dropped a SYN to the load-balancer address from outside loadBalancerSourceRanges.
  'dropped_source_range',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const Outcome = {
  Ok: 0,
  DroppedNoLocalEndpoint: 1,
  RejectedNoEndpoints: 2,
  FailedStaleEndpoint: 3,
  QueueFull: 4,
  ConntrackFull: 5,
  Timeout: 6,
  RefusedNoListener: 7,
  BlockedByFirewall: 8,
  DroppedSourceRange: 9,
} as const satisfies Record<string, number>;

/** Every outcome but `ok`: what error_share counts. */
export const FAILURE_OUTCOMES: readonly Outcome[] = OUTCOMES.filter((o) => o !== 'ok');
