// Each node's packet-processing cores (softirq) as a FIFO multi-server whose job sizes are known
// on arrival (the modelled lookup cost), so a packet's departure time is computed when it
// arrives: it takes the core that frees up first. No event is needed per packet. Packets wait
// in the per-CPU backlog, which holds at most netdev_max_backlog of them; beyond it they drop.

// A node's row: its ring's head and size, then when each core finishes the work it has been
// given. One row, not an array per field: in a cluster of thousands of nodes a packet reaches a
// node not seen for a while, and each separate array cost a cache miss.
const HEAD = 0;
const SIZE = 1;
const FREE_AT = 2;

export class SoftirqCpus {
  private readonly row: Float64Array;
  private readonly stride: number;
  /**
   * Per node, a ring of the departure times of packets not yet gone, in arrival order (with
   * several cores a packet counts until those before it have left: a slight overcount).
   */
  private readonly ring: Float64Array;
  private readonly slots: number;

  constructor(
    nodes: number,
    private readonly cores: number,
    /** net.core.netdev_max_backlog (default 1000): packets that may wait per node. */
    private readonly backlog: number,
  ) {
    this.stride = FREE_AT + cores;
    this.row = new Float64Array(nodes * this.stride);
    this.slots = backlog + cores;
    this.ring = new Float64Array(nodes * this.slots);
  }

  /** Whether a packet arriving now finds room in the node's backlog (else the kernel drops it). */
  hasRoom(node: number, nowNs: number): boolean {
    const ringBase = node * this.slots;
    // Wrapping by comparison, not `%`: an integer division per packet was a visible share of a run.
    const b = node * this.stride;
    let head = this.row[b + HEAD];
    let size = this.row[b + SIZE];
    while (size > 0 && this.ring[ringBase + head] <= nowNs) {
      head = head + 1 === this.slots ? 0 : head + 1;
      size--;
    }
    this.row[b + HEAD] = head;
    this.row[b + SIZE] = size;
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
    const { row } = this;
    const b = node * this.stride;
    if (row[b + SIZE] === this.slots) {
      row[b + HEAD] = row[b + HEAD] + 1 === this.slots ? 0 : row[b + HEAD] + 1;
      row[b + SIZE]--;
    }
    const base = b + FREE_AT;
    let best = base;
    for (let c = base + 1; c < base + this.cores; c++) if (row[c] < row[best]) best = c;
    const start = row[best] > nowNs ? row[best] : nowNs;
    const done = start + costNs;
    row[best] = done;
    const tail = row[b + HEAD] + row[b + SIZE];
    this.ring[ringBase + (tail >= this.slots ? tail - this.slots : tail)] = done;
    row[b + SIZE]++;
    return done;
  }
}
