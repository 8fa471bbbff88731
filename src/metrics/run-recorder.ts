// Accumulates what the measured requests of one run did and turns it into RunMetrics.

import { balanceOf } from './balance.js';
import type { LatencyHistogram } from './latency-histogram.js';
import { Outcome } from './outcome.js';
import type { RunMetrics } from './run-metrics.js';

export class RunRecorder {
  readonly outcomes: Float64Array;
  readonly podRequests: Float64Array;
  private networkNs = 0;
  private dataplaneNs = 0;
  private podQueueNs = 0;
  private serviceNs = 0;
  private reachedPod = 0;
  private hops = 0;
  private crossNode = 0;
  private preserved = 0;
  private rulesSum = 0;
  private rulesMax = 0;
  private newConnections = 0;
  private failedNs = 0;
  private readonly nodeCpuNs: Float64Array;

  constructor(outcomeCount: number, pods: number, nodes: number) {
    this.outcomes = new Float64Array(outcomeCount);
    this.podRequests = new Float64Array(pods);
    this.nodeCpuNs = new Float64Array(nodes);
  }

  private sent = 0;
  private delivered = 0;

  /** A reply reached its client inside the window (throughput counts these, not what was sent). */
  deliveredInWindow(): void {
    this.delivered++;
  }

  /** A measured request left its client (counted apart from outcomes, so conservation can be checked). */
  countSent(): void {
    this.sent++;
  }

  /** A measured request ended with outcome `code`, `elapsedNs` after it was sent. */
  countOutcome(code: number, elapsedNs: number): void {
    this.outcomes[code]++;
    if (code !== Outcome.Ok) this.failedNs += elapsedNs;
  }

  /** A request that reached a pod (served, or turned away by a full queue). */
  reachedPodVia(pod: number, hops: number, clientIpPreserved: boolean): void {
    this.podRequests[pod]++;
    this.reachedPod++;
    this.hops += hops;
    if (hops > 1) this.crossNode++;
    if (clientIpPreserved) this.preserved++;
  }

  /** A measured request was served; its latency is recorded by the timeseries (see Timeseries.ended). */
  served(networkNs: number, dataplaneNs: number, podQueueNs: number, serviceNs: number): void {
    this.networkNs += networkNs;
    this.dataplaneNs += dataplaneNs;
    this.podQueueNs += podQueueNs;
    this.serviceNs += serviceNs;
  }

  walkedRules(rules: number): void {
    this.rulesSum += rules;
    this.newConnections++;
    if (rules > this.rulesMax) this.rulesMax = rules;
  }

  nodeCpu(node: number, ns: number): void {
    this.nodeCpuNs[node] += ns;
  }

  /** Share of a node's softirq capacity its data path used over the window. */
  nodeCpuUtil(node: number, durationNs: number, softirqCores: number): number {
    return this.nodeCpuNs[node] / (durationNs * softirqCores);
  }

  toMetrics(args: {
    durationNs: number;
    softirqCores: number;
    inFlight: number;
    events: number;
    syncs: number;
    syncLagMeanNs: number;
    syncLagMaxNs: number;
    conntrackPeak: number;
    conntrackEarlyDrops: number;
    conntrackInsertFailures: number;
    /** The latencies of the served measured requests. */
    latency: LatencyHistogram;
  }): RunMetrics {
    const latency = args.latency;
    const o = this.outcomes;
    const requests = this.sent;
    const ok = o[Outcome.Ok];
    let failed = 0;
    for (let code = 0; code < o.length; code++) if (code !== Outcome.Ok) failed += o[code];
    const windowS = args.durationNs / 1e9;
    const msOf = (ns: number) => ns / 1e6;
    const per = (sum: number, n: number) => (n > 0 ? sum / n : Number.NaN);
    const balance = balanceOf(this.podRequests);
    let cpuMax = 0;
    for (let n = 0; n < this.nodeCpuNs.length; n++) cpuMax = Math.max(cpuMax, this.nodeCpuUtil(n, args.durationNs, args.softirqCores));
    return {
      requests,
      ok,
      dropped_no_local_endpoint: o[1],
      rejected_no_endpoints: o[2],
      failed_stale_endpoint: o[3],
      queue_full: o[4],
      conntrack_full: o[5],
      timeout: o[6],
      refused_no_listener: o[7],
      blocked_by_firewall: o[8],
      dropped_source_range: o[9],
      ok_share: per(ok, requests),
      error_share: per(failed, requests),
      in_flight_at_end: args.inFlight,
      throughput_per_s: this.delivered / windowS,
      goodput_per_s: ok / windowS,
      latency_mean_ms: msOf(latency.mean),
      latency_p50_ms: msOf(latency.percentile(50)),
      latency_p90_ms: msOf(latency.percentile(90)),
      latency_p99_ms: msOf(latency.percentile(99)),
      latency_p999_ms: msOf(latency.percentile(99.9)),
      latency_max_ms: msOf(latency.max),
      failed_latency_mean_ms: msOf(per(this.failedNs, failed)),
      network_mean_ms: msOf(per(this.networkNs, ok)),
      dataplane_mean_ms: msOf(per(this.dataplaneNs, ok)),
      pod_queue_mean_ms: msOf(per(this.podQueueNs, ok)),
      service_mean_ms: msOf(per(this.serviceNs, ok)),
      hops_mean: per(this.hops, this.reachedPod),
      cross_node_share: per(this.crossNode, this.reachedPod),
      client_ip_preserved_share: per(this.preserved, this.reachedPod),
      balance_cv: balance.cv,
      balance_jain: balance.jain,
      balance_max_over_mean: balance.maxOverMean,
      balance_min_over_mean: balance.minOverMean,
      rules_walked_mean: per(this.rulesSum, this.newConnections),
      rules_walked_max: this.newConnections > 0 ? this.rulesMax : Number.NaN,
      node_cpu_util_max: cpuMax,
      conntrack_peak: args.conntrackPeak,
      conntrack_early_drops: args.conntrackEarlyDrops,
      conntrack_insert_failures: args.conntrackInsertFailures,
      syncs: args.syncs,
      sync_lag_mean_ms: msOf(args.syncLagMeanNs),
      sync_lag_max_ms: msOf(args.syncLagMaxNs),
      events: args.events,
    };
  }
}
