// Latency percentiles from a log-linear histogram with HDR Histogram's layout at 3 significant
// digits: 2048 linear sub-buckets per power of two, so every recorded value is kept to within
// 1/1024 of itself. Recording is a few integer operations (hdr-histogram-js took ~125 ns a
// value here, a sixth of a simulated request's budget); the mean and maximum are kept exactly.

const SUB_BITS = 11;
const SUB_COUNT = 1 << SUB_BITS; // 2048
const HALF = SUB_COUNT >> 1; // 1024
/** Values up to 2^53 ns (104 days): 43 doublings above the linear range. */
const BUCKETS = 64 - SUB_BITS;
const TWO_32 = 2 ** 32;

/** Index of the highest set bit of a positive integer below 2^53. */
function log2Floor(v: number): number {
  return v < TWO_32 ? 31 - Math.clz32(v) : 63 - Math.clz32(Math.floor(v / TWO_32));
}

export class LatencyHistogram {
  /** One row of HALF counters per index range, allocated on first use (a run touches a few). */
  private readonly rows: (Float64Array | undefined)[] = new Array(BUCKETS + 1);
  private sum = 0;
  private n = 0;
  private maxValue = 0;

  /** Records one latency in integer nanoseconds (negative values count as 0). */
  record(valueNs: number): void {
    const v = valueNs > 0 ? Math.round(valueNs) : 0;
    // Indices stay below 2^16 (54 rows of 1,024), so integer shifts and masks split them.
    const i = indexOf(v);
    (this.rows[i >> (SUB_BITS - 1)] ??= new Float64Array(HALF))[i & (HALF - 1)]++;
    this.sum += v;
    this.n++;
    if (v > this.maxValue) this.maxValue = v;
  }

  /** Forgets every recording, keeping its rows for the next ones (no garbage for the collector). */
  clear(): void {
    for (const row of this.rows) row?.fill(0);
    this.sum = 0;
    this.n = 0;
    this.maxValue = 0;
  }

  /** Adds another histogram's recordings to this one, as if they had been recorded here. */
  add(other: LatencyHistogram): void {
    other.rows.forEach((row, r) => {
      if (row === undefined) return;
      const mine = (this.rows[r] ??= new Float64Array(HALF));
      for (let k = 0; k < HALF; k++) mine[k] += row[k];
    });
    this.sum += other.sum;
    this.n += other.n;
    if (other.maxValue > this.maxValue) this.maxValue = other.maxValue;
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

  /**
   * The value at percentile q (0–100): the highest value equivalent to the bucket holding the
   * ⌈q/100·n⌉-th smallest recording (as HDR Histogram reports it), never above the maximum.
   */
  percentile(q: number): number {
    if (this.n === 0) return Number.NaN;
    // Rounded first so that 99.9% of 1,000 is rank 999, not 1,000 by floating-point error.
    const rank = Math.max(1, Math.ceil(Number(((q * this.n) / 100).toFixed(6))));
    let seen = 0;
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      if (row === undefined) continue;
      for (let k = 0; k < HALF; k++) {
        seen += row[k];
        if (seen >= rank) return Math.min(highestEquivalent(r * HALF + k), this.maxValue);
      }
    }
    return this.maxValue;
  }
}

/** Values below 2048 map to themselves; above, the top 11 bits pick a sub-bucket of their power of two. */
function indexOf(v: number): number {
  if (v < SUB_COUNT) return v;
  if (v < TWO_32) {
    // Integer fast path: latencies under 4.29 s.
    const shift = 31 - Math.clz32(v) - (SUB_BITS - 1);
    return (shift + 1) * HALF + ((v >>> shift) - HALF);
  }
  const shift = log2Floor(v) - (SUB_BITS - 1);
  const sub = Math.floor(v / 2 ** shift); // 1024..2047
  return (shift + 1) * HALF + (sub - HALF);
}

function highestEquivalent(index: number): number {
  if (index < SUB_COUNT) return index;
  const shift = Math.floor(index / HALF) - 1;
  const sub = (index % HALF) + HALF;
  return (sub + 1) * 2 ** shift - 1;
}
