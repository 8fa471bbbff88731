// The iptables statistic match as kube-proxy prints it and as the kernel applies it.

import { growFloat64 } from '../engine/typed-arrays.js';

/**
 * `fmt.Sprintf("%0.10f", 1/n)` (computeProbability in pkg/proxy/iptables/proxier.go).
 * Go rounds an exact tie to even; JavaScript's toFixed rounds it up. 1/n is an exact binary
 * fraction only for powers of two, and among those only n = 2048 ties at 10 places.
 */
export function printedProbability(n: number): string {
  const exact = 1e10 / n;
  if ((n & (n - 1)) === 0 && Number.isInteger(exact * 2) && !Number.isInteger(exact)) {
    const down = Math.floor(exact);
    const even = down % 2 === 0 ? down : down + 1;
    return `0.${String(even).padStart(10, '0')}`;
  }
  return (1 / n).toFixed(10);
}

/**
 * iptables' libxt_statistic stores lround(p * 2^31); xt_statistic matches when
 * (get_random_u32() & 0x7FFFFFFF) < that. A uniform draw r in [0,1) therefore matches
 * when r < lround(p * 2^31) / 2^31.
 */
export const kernelThreshold = (printed: string): number => Math.round(Number(printed) * 2_147_483_648) / 2_147_483_648;

let thresholds = new Float64Array(0);

/** Threshold of the statistic rule when `remaining` endpoints are left (1/remaining), cached. */
function thresholdFor(remaining: number): number {
  if (remaining >= thresholds.length) {
    const next = growFloat64(thresholds, Math.max(remaining + 1, thresholds.length * 2, 64));
    for (let m = Math.max(1, thresholds.length); m < next.length; m++) next[m] = kernelThreshold(printedProbability(m));
    thresholds = next;
  }
  return thresholds[remaining];
}

/** Per cascade length n: the chance the cascade has matched by rule k, for k = 0…n−1 (the last is 1). */
const cumulatives: (Float64Array | undefined)[] = [];

function cascadeCumulative(n: number): Float64Array {
  let c = cumulatives[n];
  if (c === undefined) {
    c = new Float64Array(n);
    let missAll = 1;
    for (let k = 0; k < n - 1; k++) {
      missAll *= 1 - thresholdFor(n - k);
      c[k] = 1 - missAll;
    }
    c[n - 1] = 1;
    cumulatives[n] = c;
  }
  return c;
}

/**
 * The rule (0…n−1) at which a cascade of n statistic rules — thresholds 1/n, 1/(n−1), …, the
 * last unconditional — matches, from one uniform draw `u`. The kernel draws once per rule;
 * inverting the cascade's cumulative distribution gives each rule exactly the same chance
 * (the quantised thresholds included) for one draw instead of about n/2, which is most of a
 * connect's cost at 30 endpoints. It equals walking the rules with `u` rescaled after each
 * miss ((u − p)/(1 − p)), which is how the naive walker checks it.
 */
export function cascadePick(n: number, u: number): number {
  const c = cascadeCumulative(n);
  // The thresholds are within 2^-31 of 1/(n−k), so the cumulative is within a few ulps of
  // (k+1)/n and the first guess is right or one off.
  let k = Math.min(n - 1, Math.floor(u * n));
  while (k > 0 && u < c[k - 1]) k--;
  while (u >= c[k]) k++;
  return k;
}
