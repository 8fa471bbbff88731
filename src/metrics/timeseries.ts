// What happened in each time bucket of a run (the whole run, warm-up included, so changes over
// time can be seen around the events that caused them).
//
// A bucket's latency histograms (tens of kilobytes each) live only while latencies can still
// land in it: a served request's latency is recorded when its reply arrives, never before the
// clock, and the clock is known from the requests reaching pods (recorded at the clock). Once the
// clock has passed a bucket, its p99 is taken and its measured latencies are folded into the
// run's, in bucket order as the run's own histogram was always summed, so an hour-long run keeps
// a few numbers per bucket and the same figures. Closed buckets' histograms are cleared and
// reused for later buckets: left to the collector, their rows piled up as garbage in old space.

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
  /** Per open bucket, the latencies of measured requests (sent after the warm-up) and of the others. */
  private readonly latency: (LatencyHistogram | undefined)[] = [];
  private readonly warmupLatency: (LatencyHistogram | undefined)[] = [];
  /** Per closed bucket, the p99 of all its latencies in ns. */
  private readonly p99Ns: number[] = [];
  /** Buckets before this one are closed. */
  private closed = 0;
  /** The measured latencies of the closed buckets. */
  private readonly measured = new LatencyHistogram();
  private readonly scratch = new LatencyHistogram();
  private readonly spare: LatencyHistogram[] = [];
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
      this.latency.push(this.spare.pop() ?? new LatencyHistogram());
      this.warmupLatency.push(this.spare.pop() ?? new LatencyHistogram());
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
    if (outcome !== 0) return;
    const histogram = (measured ? this.latency : this.warmupLatency)[b];
    if (histogram === undefined) throw new Error(`Timeseries: a latency ended at ${atNs} ns, in bucket ${b}, which the clock had already passed`);
    histogram.record(latencyNs);
  }

  /** Every served measured request's latency, whatever bucket it ended in. Call once the run is over. */
  measuredLatency(): LatencyHistogram {
    this.closeBefore(this.outcomes.length);
    const all = new LatencyHistogram();
    all.add(this.measured);
    return all;
  }

  /** A request reached a pod at `atNs`, the clock: buckets before the clock's are final. */
  reachedPod(atNs: number, pod: number): void {
    const b = this.bucket(atNs);
    this.podArrivals[b][pod]++;
    if (b > this.closed) this.closeBefore(b);
  }

  private closeBefore(end: number): void {
    for (; this.closed < end; this.closed++) {
      const b = this.closed;
      const measured = this.latency[b] as LatencyHistogram;
      const warmup = this.warmupLatency[b] as LatencyHistogram;
      const all = this.scratch;
      all.clear();
      all.add(measured);
      all.add(warmup);
      this.p99Ns[b] = all.percentile(99);
      this.measured.add(measured);
      measured.clear();
      warmup.clear();
      this.spare.push(measured, warmup);
      this.latency[b] = undefined;
      this.warmupLatency[b] = undefined;
    }
  }

  /** Tidy rows: throughput, p99, each failure outcome, and each pod's arrival rate per bucket. */
  rows(): TimeseriesRow[] {
    this.closeBefore(this.outcomes.length);
    const perS = 1e9 / this.bucketNs;
    const rows: TimeseriesRow[] = [];
    for (let b = 0; b < this.outcomes.length; b++) {
      const tS = (b * this.bucketNs) / 1e9;
      rows.push({ tS, series: 'throughput_per_s', pod: '', value: this.outcomes[b][0] * perS });
      rows.push({ tS, series: 'latency_p99_ms', pod: '', value: this.p99Ns[b] / 1e6 });
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
