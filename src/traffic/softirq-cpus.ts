// Each node's packet-processing cores (softirq) as a FIFO multi-server whose job sizes are known
// on arrival (the modelled lookup cost), so a packet's departure time is computed when it
// arrives: it takes the core that frees up first. No event is needed per packet.

export class SoftirqCpus {
  /** freeAt[node * cores + core]: when each core finishes the work it has been given. */
  private readonly freeAt: Float64Array;

  constructor(
    nodes: number,
    private readonly cores: number,
  ) {
    this.freeAt = new Float64Array(nodes * cores);
  }

  /** Queues `costNs` of work on `node` at `nowNs`; returns when that work is done. */
  admit(node: number, nowNs: number, costNs: number): number {
    const base = node * this.cores;
    let best = base;
    for (let c = base + 1; c < base + this.cores; c++) if (this.freeAt[c] < this.freeAt[best]) best = c;
    const start = this.freeAt[best] > nowNs ? this.freeAt[best] : nowNs;
    const done = start + costNs;
    this.freeAt[best] = done;
    return done;
  }
}
