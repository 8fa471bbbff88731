// The conntrack garbage-collection worker of Linux 6.1 LTS (net/netfilter/nf_conntrack_core.c,
// `gc_worker`), which is also what frees a full table: a failed insert only raises the worker's
// `early_drop` flag, and nothing is freed until the worker's next pass, which then kills entries
// that `gc_worker_can_early_drop` while the table is at or above 95 % full. When that pass runs
// decides how long new connections are dropped, so the worker's schedule is modelled pass by pass:
//
//  - A cycle walks every hash bucket, in passes of at most GC_SCAN_MAX_DURATION (10 ms). A pass
//    that used its budget requeues itself at once (`next_run = 0`, the flag kept).
//  - A pass stops once it has freed more than GC_SCAN_EXPIRED_MAX (64000 / HZ) entries and
//    requeues itself one jiffy later (`next_run = delta_time < GC_SCAN_INTERVAL_MAX`), clearing the
//    flag ("if (next_run) gc_work->early_drop = false").
//  - A cycle that reaches the last bucket sleeps for the entries' average remaining timeout, each
//    clamped to [GC_SCAN_INTERVAL_MIN, GC_SCAN_INTERVAL_CLAMP] and averaged with
//    GC_SCAN_INITIAL_COUNT pretend entries at GC_SCAN_INTERVAL_INIT, then clamped to
//    [GC_SCAN_INTERVAL_MIN, GC_SCAN_INTERVAL_MAX], less the time the cycle took; this clears the flag.
//
// Approximated: a pass's kills happen at its start, not over its 10 ms; the entries it visits are
// a uniform sample of the table (the kernel's bucket order is a hash, unrelated to age), so it
// visits kills / (droppable share) entries to make its kills, each costing SCAN_NS_PER_ENTRY; the
// average timeout is taken over the table at the cycle's end rather than accumulated bucket by
// bucket with the kernel's integer division; and the closing entries it kills are the oldest.

/** CONFIG_HZ: kernel/Kconfig.hz's default choice (HZ_250), which Debian's and Ubuntu's builds keep. */
export const HZ = 250;
export const JIFFY_NS = 1e9 / HZ;
/** nf_conntrack_core.c: GC_SCAN_INTERVAL_MIN (1 s) and GC_SCAN_INTERVAL_MAX (60 s). */
export const GC_SCAN_INTERVAL_MIN_NS = 1e9;
export const GC_SCAN_INTERVAL_MAX_NS = 60e9;
/** nf_conntrack_core.c: GC_SCAN_INTERVAL_CLAMP, "clamp timeouts to this value (TCP unacked)". */
export const GC_SCAN_INTERVAL_CLAMP_NS = 300e9;
/** nf_conntrack_core.c: GC_SCAN_INITIAL_COUNT pretend entries at GC_SCAN_INTERVAL_INIT (= _MAX). */
export const GC_SCAN_INITIAL_COUNT = 100;
export const GC_SCAN_INTERVAL_INIT_NS = GC_SCAN_INTERVAL_MAX_NS;
/** nf_conntrack_core.c: GC_SCAN_MAX_DURATION, msecs_to_jiffies(10). */
export const GC_SCAN_MAX_DURATION_NS = 10e6;
/** nf_conntrack_core.c: GC_SCAN_EXPIRED_MAX (64000u / HZ); a pass exits on the entry after it frees one more than this. */
export const GC_SCAN_EXPIRED_MAX = Math.floor(64_000 / HZ);
/** nf_conntrack_init_start queues the worker's first pass HZ jiffies (1 s) after the table is made. */
export const GC_FIRST_PASS_NS = 1e9;
/**
 * Time the walk spends per entry: one main-memory reference (~100 ns, the usual latency table's
 * "main memory reference"), since a table of 10^5 entries of ~320 bytes is far beyond the caches.
 * It only sets how many passes a cycle needs.
 */
export const SCAN_NS_PER_ENTRY = 100;

/** What the worker sees of and does to the table. */
export interface GcTable {
  readonly max: number;
  /** Entries counted against the maximum (nf_conntrack_count). */
  readonly count: number;
  /** Entries the worker may early-drop: TCP in FIN_WAIT, LAST_ACK, TIME_WAIT, CLOSE or CLOSE_WAIT (tcp_can_early_drop). */
  readonly droppable: number;
  /** Frees entries the worker has passed, as of `nowNs`. */
  reclaim(nowNs: number): void;
  /** Kills `n` droppable entries. */
  earlyDrop(n: number): void;
  /** Σ over the table of each entry's remaining timeout clamped to [min, clamp]. */
  clampedRemainingSumNs(nowNs: number, minNs: number, clampNs: number): number;
}

/** One pass of the worker, for tests and traces. */
export interface GcPass {
  readonly atNs: number;
  readonly earlyDropFlag: boolean;
  readonly killed: number;
  /** Why it stopped: its budget, enough freed entries, or the end of the table. */
  readonly exit: 'budget' | 'expired-max' | 'cycle-end';
  readonly nextNs: number;
}

export class GcWorker {
  /** The `early_drop` flag a failed insert raises. */
  earlyDropFlag = false;
  nextPassNs = GC_FIRST_PASS_NS;
  earlyDrops = 0;
  /** The share of the table the current cycle has walked. */
  private walked = 0;
  private cycleStartNs = 0;

  constructor(private readonly onPass?: (p: GcPass) => void) {}

  /** Runs every pass due by `nowNs`, each on the table as it was then. */
  advanceTo(nowNs: number, table: GcTable): void {
    while (this.nextPassNs <= nowNs) this.pass(this.nextPassNs, table);
  }

  private pass(atNs: number, table: GcTable): void {
    table.reclaim(atNs);
    if (this.walked === 0) this.cycleStartNs = atNs;
    const flag = this.earlyDropFlag;
    const count = table.count;
    const left = (1 - this.walked) * count;
    const budget = GC_SCAN_MAX_DURATION_NS / SCAN_NS_PER_ENTRY;
    // "nf_conntrack_max95 = nf_conntrack_max / 100u * 95u"; entries are killed while count >= max95.
    const max95 = Math.floor(table.max / 100) * 95;
    let killed = 0;
    let visited = Math.min(left, budget);
    let exit: GcPass['exit'] = visited >= left ? 'cycle-end' : 'budget';
    if (flag && count >= max95 && table.droppable > 0) {
      const share = table.droppable / count;
      const reachable = Math.floor(visited * share);
      killed = Math.min(GC_SCAN_EXPIRED_MAX + 1, count - max95 + 1, reachable, table.droppable);
      if (killed === GC_SCAN_EXPIRED_MAX + 1 && killed / share < left) {
        visited = killed / share;
        exit = 'expired-max';
      }
      table.earlyDrop(killed);
      this.earlyDrops += killed;
    }
    const endNs = atNs + Math.max(1, Math.round(visited * SCAN_NS_PER_ENTRY));
    let waitNs: number;
    if (exit === 'cycle-end') {
      this.walked = 0;
      const n = table.count;
      const sum = GC_SCAN_INITIAL_COUNT * GC_SCAN_INTERVAL_INIT_NS + table.clampedRemainingSumNs(endNs, GC_SCAN_INTERVAL_MIN_NS, GC_SCAN_INTERVAL_CLAMP_NS);
      const avg = Math.min(GC_SCAN_INTERVAL_MAX_NS, Math.max(GC_SCAN_INTERVAL_MIN_NS, sum / (GC_SCAN_INITIAL_COUNT + n)));
      const took = Math.max(endNs - this.cycleStartNs, 1);
      waitNs = avg > took ? avg - took : JIFFY_NS;
    } else {
      this.walked += visited / Math.max(count, 1);
      // "re-sched immediately if total cycle time is exceeded", else one jiffy; a spent budget: at once.
      waitNs = exit === 'expired-max' && endNs - this.cycleStartNs < GC_SCAN_INTERVAL_MAX_NS ? JIFFY_NS : 0;
    }
    if (waitNs > 0) this.earlyDropFlag = false;
    this.nextPassNs = endNs + Math.round(waitNs);
    this.onPass?.({ atNs, earlyDropFlag: flag, killed, exit, nextNs: this.nextPassNs });
  }
}
