// What happened in each time bucket of a run (the whole run, warm-up included, so changes over
// time can be seen around the events that caused them).

import { LatencyHistogram } from './latency-histogram.js';

export interface TimeseriesRow {
  readonly tS: number;
  readonly series: string;
  /** Set for per-pod series (the pod's name) and per-node ones (the node's name). */
  readonly pod: string;
  readonly value: number;
}

export class Timeseries {
  private readonly outcomes: Float64Array[] = [];
  private readonly podArrivals: Float64Array[] = [];
  /** Per bucket, the latencies of measured requests (sent after the warm-up) and of the others. */
  private readonly latency: LatencyHistogram[] = [];
  private readonly warmupLatency: LatencyHistogram[] = [];
  /** Per bucket, each node's conntrack entries at the bucket's end (NaN until sampled). */
  private readonly conntrack: Float64Array[] = [];

  constructor(
    private readonly bucketNs: number,
    private readonly outcomeNames: readonly string[],
    private readonly podNames: readonly string[],
    private readonly nodeNames: readonly string[] = [],
  ) {}

  private bucket(atNs: number): number {
    const b = Math.floor(atNs / this.bucketNs);
    while (this.outcomes.length <= b) {
      this.outcomes.push(new Float64Array(this.outcomeNames.length));
      this.podArrivals.push(new Float64Array(this.podNames.length));
      this.latency.push(new LatencyHistogram());
      this.warmupLatency.push(new LatencyHistogram());
      this.conntrack.push(new Float64Array(this.nodeNames.length).fill(Number.NaN));
    }
    return b;
  }

  /** The node's conntrack table held `entries` at the end of the bucket that ends at `atNs`. */
  conntrackEntries(atNs: number, node: number, entries: number): void {
    this.conntrack[this.bucket(atNs - 1)][node] = entries;
  }

  /**
   * A request ended at `atNs` with this outcome (and latency, when served). Each latency is
   * recorded once, here; the run's own percentiles merge the measured requests' buckets.
   */
  ended(atNs: number, outcome: number, latencyNs: number, measured: boolean): void {
    const b = this.bucket(atNs);
    this.outcomes[b][outcome]++;
    if (outcome === 0) (measured ? this.latency : this.warmupLatency)[b].record(latencyNs);
  }

  /** Every served measured request's latency, whatever bucket it ended in. */
  measuredLatency(): LatencyHistogram {
    const all = new LatencyHistogram();
    for (const h of this.latency) all.add(h);
    return all;
  }

  /** A request reached a pod at `atNs`. */
  reachedPod(atNs: number, pod: number): void {
    this.podArrivals[this.bucket(atNs)][pod]++;
  }

  /** Tidy rows: throughput, p99, each failure outcome, and each pod's arrival rate per bucket. */
  rows(): TimeseriesRow[] {
    const perS = 1e9 / this.bucketNs;
    const rows: TimeseriesRow[] = [];
    for (let b = 0; b < this.outcomes.length; b++) {
      const tS = (b * this.bucketNs) / 1e9;
      rows.push({ tS, series: 'throughput_per_s', pod: '', value: this.outcomes[b][0] * perS });
      const latency = new LatencyHistogram();
      latency.add(this.latency[b]);
      latency.add(this.warmupLatency[b]);
      rows.push({ tS, series: 'latency_p99_ms', pod: '', value: latency.percentile(99) / 1e6 });
      for (let o = 1; o < this.outcomeNames.length; o++) {
        rows.push({ tS, series: this.outcomeNames[o], pod: '', value: this.outcomes[b][o] });
      }
      for (let p = 0; p < this.podNames.length; p++) {
        rows.push({ tS, series: 'pod_rate_per_s', pod: this.podNames[p], value: this.podArrivals[b][p] * perS });
      }
      for (let n = 0; n < this.nodeNames.length; n++) {
        if (!Number.isNaN(this.conntrack[b][n])) rows.push({ tS, series: 'conntrack_entries', pod: this.nodeNames[n], value: this.conntrack[b][n] });
      }
    }
    return rows;
  }
}
