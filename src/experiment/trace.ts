// `run --trace`: one row per finished request, as ns-3's ASCII traces give one line per packet
// event. The observer turns the simulator's records into rows; the CLI streams them to a file.

import { OUTCOMES } from '../metrics/outcome.js';
import type { SimObserver } from '../sim/simulate.js';
import type { PlannedRun } from './plan.js';

export const TRACE_COLUMNS = [
  'run',
  'replication',
  'seed',
  'client',
  'ingress_node',
  'pod',
  'outcome',
  'new_connection',
  'measured',
  'sent_at_ns',
  'ended_at_ns',
  'latency_ns',
  'network_ns',
  'dataplane_ns',
  'pod_queue_ns',
  'service_ns',
] as const;

export type TraceCell = string | number;

/** Rows of one run for `emit`, in the order its requests end; node and pod by name ('' for none). */
export function traceObserver(run: PlannedRun, emit: (row: readonly TraceCell[]) => void): SimObserver {
  let nodes: readonly string[] = [];
  let pods: readonly string[] = [];
  return {
    onStart: (names) => {
      ({ nodes, pods } = names);
    },
    onRequestEnd: (r) => {
      emit([
        run.run,
        run.replication,
        run.seed,
        r.client,
        r.ingressNode >= 0 ? nodes[r.ingressNode] : '',
        r.pod >= 0 ? pods[r.pod] : '',
        OUTCOMES[r.outcome],
        r.newConnection ? 1 : 0,
        r.measured ? 1 : 0,
        r.sentAtNs,
        r.endedAtNs,
        r.endedAtNs - r.sentAtNs,
        r.networkNs,
        r.dataplaneNs,
        r.podQueueNs,
        r.serviceNs,
      ]);
    },
  };
}
