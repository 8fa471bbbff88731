// Each node's packet-processing cores (softirq) as a FIFO multi-server whose job sizes are known
// on arrival (the modelled lookup cost), so a packet's departure time is computed when it
// arrives: it takes the core that frees up first. No event is needed per packet. Packets wait
// in the per-CPU backlog, which holds at most netdev_max_backlog of them; beyond it they drop.

export class SoftirqCpus {
  /** freeAt[node * cores + core]: when each core finishes the work it has been given. */
  private readonly freeAt: Float64Array;
  /**
   * Per node, a ring of the departure times of packets not yet gone, in arrival order (with
   * several cores a packet counts until those before it have left: a slight overcount).
   */
  private readonly ring: Float64Array;
  private readonly head: Int32Array;
  private readonly size: Int32Array;
  private readonly slots: number;

  constructor(
    nodes: number,
    private readonly cores: number,
    /** net.core.netdev_max_backlog (default 1000): packets that may wait per node. */
    private readonly backlog: number,
  ) {
    this.freeAt = new Float64Array(nodes * cores);
    this.slots = backlog + cores;
    this.ring = new Float64Array(nodes * this.slots);
    this.head = new Int32Array(nodes);
    this.size = new Int32Array(nodes);
  }

  /** Whether a packet arriving now finds room in the node's backlog (else the kernel drops it). */
  hasRoom(node: number, nowNs: number): boolean {
    const ringBase = node * this.slots;
    // Wrapping by comparison, not `%`: an integer division per packet was a visible share of a run.
    let head = this.head[node];
    let size = this.size[node];
    while (size > 0 && this.ring[ringBase + head] <= nowNs) {
      head = head + 1 === this.slots ? 0 : head + 1;
      size--;
    }
    this.head[node] = head;
    this.size[node] = size;
    return size < this.slots;
  }

  /**
   * Queues `costNs` of work on `node`, known at `nowNs`; returns when the core is done with it.
   * The core takes work in the order it becomes known: a packet due a hop later (computed when
   * it was sent) is queued now, so it never leaves the core idle in front of packets that arrive
   * before it (the caller keeps it from leaving before it arrives). Packets that asked
   * `hasRoom` first always fit; a reply, which does not ask, forgets the oldest packet counted
   * when the ring is full rather than overwrite the count.
   */
  admit(node: number, nowNs: number, costNs: number): number {
    const ringBase = node * this.slots;
    if (this.size[node] === this.slots) {
      this.head[node] = this.head[node] + 1 === this.slots ? 0 : this.head[node] + 1;
      this.size[node]--;
    }
    const base = node * this.cores;
    let best = base;
    for (let c = base + 1; c < base + this.cores; c++) if (this.freeAt[c] < this.freeAt[best]) best = c;
    const start = this.freeAt[best] > nowNs ? this.freeAt[best] : nowNs;
    const done = start + costNs;
    this.freeAt[best] = done;
    const tail = this.head[node] + this.size[node];
    this.ring[ringBase + (tail >= this.slots ? tail - this.slots : tail)] = done;
    this.size[node]++;
    return done;
  }
}
