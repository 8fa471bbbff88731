// How evenly load spreads over pods: the balance indices runs.csv reports, from per-pod counts.

export interface Balance {
  /** Coefficient of variation: population standard deviation over mean. */
  readonly cv: number;
  /** Jain's fairness index (Σx)² / (n·Σx²): 1 when even, 1/n when one pod takes all. */
  readonly jain: number;
  readonly maxOverMean: number;
  readonly minOverMean: number;
}

export function balanceOf(counts: ArrayLike<number>): Balance {
  const n = counts.length;
  let sum = 0;
  let sq = 0;
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = counts[i];
    sum += x;
    sq += x * x;
    if (x > max) max = x;
    if (x < min) min = x;
  }
  if (n === 0 || sum === 0) return { cv: Number.NaN, jain: Number.NaN, maxOverMean: Number.NaN, minOverMean: Number.NaN };
  const mean = sum / n;
  const variance = Math.max(0, sq / n - mean * mean);
  return { cv: Math.sqrt(variance) / mean, jain: (sum * sum) / (n * sq), maxOverMean: max / mean, minOverMean: min / mean };
}
