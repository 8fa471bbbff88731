// How a request ends (DESIGN.md §4). Codes index the per-outcome counters.

export const OUTCOMES = [
  'ok',
  'dropped_no_local_endpoint',
  'rejected_no_endpoints',
  'failed_stale_endpoint',
  'queue_full',
  'conntrack_full',
  'timeout',
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
} as const satisfies Record<string, number>;
