// Latency percentiles from an HDR histogram (3 significant digits), so a run never sorts its
// latencies; the mean and maximum are kept exactly beside it.

import * as hdr from 'hdr-histogram-js';

export class LatencyHistogram {
  private readonly histogram = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 40,
    numberOfSignificantValueDigits: 3,
  });
  private sum = 0;
  private n = 0;
  private maxValue = 0;

  /** Records one latency in integer nanoseconds. */
  record(valueNs: number): void {
    this.histogram.recordValue(valueNs < 1 ? 1 : valueNs);
    this.sum += valueNs;
    this.n++;
    if (valueNs > this.maxValue) this.maxValue = valueNs;
  }

  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.n > 0 ? this.sum / this.n : Number.NaN;
  }
  get max(): number {
    return this.n > 0 ? this.maxValue : Number.NaN;
  }
  /** The value at percentile q (0–100), to the histogram's 3 significant digits. */
  percentile(q: number): number {
    return this.n > 0 ? this.histogram.getValueAtPercentile(q) : Number.NaN;
  }
}
