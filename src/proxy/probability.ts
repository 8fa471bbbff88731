// The iptables statistic match as kube-proxy prints it and as the kernel applies it.

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
export function thresholdFor(remaining: number): number {
  if (remaining >= thresholds.length) {
    const next = new Float64Array(Math.max(remaining + 1, thresholds.length * 2, 64));
    next.set(thresholds);
    for (let m = Math.max(1, thresholds.length); m < next.length; m++) next[m] = kernelThreshold(printedProbability(m));
    thresholds = next;
  }
  return thresholds[remaining];
}
