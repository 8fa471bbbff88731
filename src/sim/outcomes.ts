// What the run measured: how each request ended (counted once, in its time bucket, and shown to
// an observer), where requests went, and each node's ingress count and softirq CPU time.

import type { LatencyHistogram } from '../metrics/latency-histogram.js';
import { OUTCOMES } from '../metrics/outcome.js';
import { RunRecorder } from '../metrics/run-recorder.js';
import { Timeseries } from '../metrics/timeseries.js';
import type { RequestTable } from './requests.js';
import type { SimObserver } from './run-result.js';

export class Outcomes {
  readonly recorder: RunRecorder;
  readonly series: Timeseries;
  /** Per node: measured connections and requests the balancer sent to it. */
  readonly ingressRequests: Float64Array;

  constructor(
    pods: readonly string[],
    nodes: number,
    bucketNs: number,
    private readonly window: { readonly warmupNs: number; readonly endNs: number },
    private readonly observer: SimObserver,
    nodeNames: readonly string[] = [],
  ) {
    this.recorder = new RunRecorder(OUTCOMES.length, pods.length, nodes);
    this.series = new Timeseries(bucketNs, OUTCOMES, pods, nodeNames);
    this.ingressRequests = new Float64Array(nodes);
  }

  /** A measured request left its client for `node` (-1: the balancer had no node). */
  sent(node: number): void {
    this.recorder.countSent();
    if (node >= 0) this.ingressRequests[node]++;
  }

  /** Request `r` ended for its client at `atNs` with `outcome` (and its latency when served). */
  ended(req: RequestTable, r: number, outcome: number, latencyNs: number, atNs: number): void {
    const measured = req.measured[r] === 1;
    if (measured) this.recorder.countOutcome(outcome, atNs - req.sentAt[r]);
    this.series.ended(atNs, outcome, latencyNs, measured);
    if (this.observer.onRequestEnd === undefined) return;
    this.observer.onRequestEnd({
      client: req.client[r],
      outcome,
      sentAtNs: req.sentAt[r],
      endedAtNs: atNs,
      ingressNode: req.ingressNode[r],
      pod: req.pod[r],
      newConnection: req.newConnection[r] === 1,
      measured,
      networkNs: req.networkNs[r],
      dataplaneNs: req.dataplaneNs[r],
      podQueueNs: req.podQueueNs[r],
      serviceNs: req.serviceNs[r],
    });
  }

  /** Request `r` reached `pod`, on `podNode`, at `atNs`. */
  reachedPod(req: RequestTable, r: number, pod: number, podNode: number, atNs: number): void {
    if (req.measured[r] === 1) this.recorder.reachedPodVia(pod, podNode === req.ingressNode[r] ? 1 : 2, req.masqueraded[r] === 0);
    this.series.reachedPod(atNs, pod);
  }

  /** The node's softirq CPU worked from `fromNs` to `toNs`; utilisation counts the part inside the window. */
  nodeBusy(node: number, fromNs: number, toNs: number): void {
    const busy = Math.min(toNs, this.window.endNs) - Math.max(fromNs, this.window.warmupNs);
    if (busy > 0) this.recorder.nodeCpu(node, busy);
  }

  measuredLatency(): LatencyHistogram {
    return this.series.measuredLatency();
  }
}
