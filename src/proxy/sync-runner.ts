// Each node's kube-proxy sync runner as pkg/util/async/bounded_frequency_runner.go runs it (the
// runner of kube-proxy 1.33 and earlier): a token bucket of `burst` syncs that starts full and
// refills one token per minInterval (client-go's flowcontrol token bucket over
// golang.org/x/time/rate), so an isolated change syncs at once; a trigger finding no token is
// retried minInterval after the last sync *ended* (tryRun's timer) and then as soon as a token is
// back. Pure bookkeeping: it answers "when may this node's next sync start" and schedules nothing.

export class SyncRunners {
  /** Per node: tokens in the bucket at `tokensAtNs`. */
  private readonly tokens: Float64Array;
  private readonly tokensAtNs: Float64Array;
  /** Per node: when its last sync ended (tryRun sets lastRun after fn returns). */
  private readonly lastEndNs: Float64Array;

  constructor(
    nodes: number,
    private readonly minIntervalNs: number,
    private readonly burst: number,
  ) {
    if (!(burst >= 1)) throw new Error(`SyncRunners: burst ${burst} must be at least 1`);
    this.tokens = new Float64Array(nodes).fill(burst);
    this.tokensAtNs = new Float64Array(nodes);
    this.lastEndNs = new Float64Array(nodes).fill(-Infinity);
  }

  /** Tokens in the node's bucket at `nowNs`: refilled at 1/minInterval, never above the burst. */
  available(node: number, nowNs: number): number {
    // minInterval 0: the runner uses nullLimiter, which always accepts.
    if (this.minIntervalNs === 0) return this.burst;
    const refilled = this.tokens[node] + (nowNs - this.tokensAtNs[node]) / this.minIntervalNs;
    return refilled > this.burst ? this.burst : refilled;
  }

  /**
   * The earliest time at or after `nowNs` the node's next sync may start: now when a token is
   * there (TryAccept), else the later of minInterval after the last sync ended and the moment a
   * token is back.
   */
  earliestStartNs(node: number, nowNs: number): number {
    const tokens = this.available(node, nowNs);
    if (this.hasToken(tokens)) return nowNs;
    const tokenBackNs = nowNs + Math.round((1 - tokens) * this.minIntervalNs);
    return Math.max(this.lastEndNs[node] + this.minIntervalNs, tokenBackNs);
  }

  /** A sync starts on the node: it takes a token. */
  start(node: number, nowNs: number): void {
    const tokens = this.available(node, nowNs);
    if (!this.hasToken(tokens)) throw new Error(`SyncRunners: node ${node} started a sync at ${nowNs} ns with ${tokens} tokens`);
    this.tokens[node] = Math.max(0, tokens - 1);
    this.tokensAtNs[node] = nowNs;
  }

  /** A whole token, or one short by less than a nanosecond's refill (times are whole nanoseconds). */
  private hasToken(tokens: number): boolean {
    return tokens >= 1 - 1 / this.minIntervalNs;
  }

  /** The node's sync ended. */
  end(node: number, nowNs: number): void {
    this.lastEndNs[node] = nowNs;
  }
}
