// Closed forms for the M/M/c queue (Erlang C), the truth the simulator is checked against.

/** Probability that an arrival waits, for c servers offered a = λ/μ erlangs (a < c). */
export function erlangC(c: number, a: number): number {
  if (!(a < c)) throw new Error(`erlangC: offered load ${a} must be below ${c} servers`);
  // Erlang B by its stable recursion, then C = B / (1 - (a/c)(1 - B)).
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b / (1 - (a / c) * (1 - b));
}

/** Mean wait in queue of an M/M/c queue with arrival rate λ and service rate μ per server. */
export function mmcMeanWait(c: number, lambda: number, mu: number): number {
  return erlangC(c, lambda / mu) / (c * mu - lambda);
}
