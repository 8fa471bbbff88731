// Each node's packet-processing cores (softirq) as a FIFO multi-server whose job sizes are known
// on arrival (the modelled lookup cost), so a packet's departure time is computed when it
// arrives: it takes the core that frees up first. No event is needed per packet. Packets wait
// in the per-CPU backlog, which holds at most netdev_max_backlog of them; beyond it they drop.

// A node's row: its ring's head and size, where its ring lives (-1: in the row itself), when
// each core finishes the work it has been given, then the ring's first entries. One row, not an
// array per field: in a cluster of thousands of nodes a packet reaches a node not seen for a
// while, and each separate array cost a cache miss.
const HEAD = 0;
const SIZE = 1;
const SPILLED = 2;
const FREE_AT = 3;
/** Ring entries a node keeps in its row: a node rarely holds more packets at once. */
const IN_ROW = 8;

export class SoftirqCpus {
  private readonly row: Float64Array;
  private readonly stride: number;
  /** Where a node's ring starts in its row. */
  private readonly ringAt: number;
  /** Entries of a ring kept in its row (the whole ring when the backlog is that small). */
  private readonly inRow: number;
  /**
   * The rings of nodes that held more packets than their row does: `slots` entries each, made
   * when a node first needs one. A ring holds the departure times of packets not yet gone, in
   * arrival order (with several cores a packet counts until those before it have left: a slight
   * overcount).
   */
  private spilled = new Float64Array(0);
  private spilledRings = 0;
  private readonly slots: number;

  constructor(
    nodes: number,
    private readonly cores: number,
    /** net.core.netdev_max_backlog (default 1000): packets that may wait per node. */
    private readonly backlog: number,
  ) {
    this.slots = backlog + cores;
    this.inRow = Math.min(IN_ROW, this.slots);
    this.ringAt = FREE_AT + cores;
    this.stride = this.ringAt + this.inRow;
    this.row = new Float64Array(nodes * this.stride);
    for (let n = 0; n < nodes; n++) this.row[n * this.stride + SPILLED] = -1;
  }

  /** Whether a packet arriving now finds room in the node's backlog (else the kernel drops it). */
  hasRoom(node: number, nowNs: number): boolean {
    const b = node * this.stride;
    // Integer fields of a float row: `| 0` lets the index arithmetic below stay in integers.
    const spilled = this.row[b + SPILLED] | 0;
    const ring = spilled < 0 ? this.row : this.spilled;
    const at = spilled < 0 ? b + this.ringAt : spilled;
    const cap = spilled < 0 ? this.inRow : this.slots;
    // Wrapping by comparison, not `%`: an integer division per packet was a visible share of a run.
    let head = this.row[b + HEAD] | 0;
    let size = this.row[b + SIZE] | 0;
    while (size > 0 && ring[at + head] <= nowNs) {
      head = head + 1 === cap ? 0 : head + 1;
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
    const { row } = this;
    const b = node * this.stride;
    if (row[b + SIZE] === this.slots) {
      row[b + HEAD] = row[b + HEAD] + 1 === this.slots ? 0 : row[b + HEAD] + 1;
      row[b + SIZE]--;
    }
    if (row[b + SPILLED] < 0 && row[b + SIZE] === this.inRow && this.inRow < this.slots) this.spill(b);
    const base = b + FREE_AT;
    let best = base;
    for (let c = base + 1; c < base + this.cores; c++) if (row[c] < row[best]) best = c;
    const start = row[best] > nowNs ? row[best] : nowNs;
    const done = start + costNs;
    row[best] = done;
    const spilled = row[b + SPILLED] | 0;
    const cap = spilled < 0 ? this.inRow : this.slots;
    const tail = (row[b + HEAD] | 0) + (row[b + SIZE] | 0);
    const i = tail >= cap ? tail - cap : tail;
    if (spilled < 0) row[b + this.ringAt + i] = done;
    else this.spilled[spilled + i] = done;
    row[b + SIZE]++;
    return done;
  }

  /** The node's ring outgrows its row: its entries move, oldest first, to a ring of its own. */
  private spill(b: number): void {
    if ((this.spilledRings + 1) * this.slots > this.spilled.length) {
      const grown = new Float64Array(Math.max(1, 2 * this.spilledRings) * this.slots);
      grown.set(this.spilled);
      this.spilled = grown;
    }
    const at = this.spilledRings++ * this.slots;
    const head = this.row[b + HEAD];
    for (let k = 0; k < this.inRow; k++) this.spilled[at + k] = this.row[b + this.ringAt + ((head + k) % this.inRow)];
    this.row[b + HEAD] = 0;
    this.row[b + SPILLED] = at;
  }
}
