// The shared store of every node's conntrack table against one plain table per node: maps and
// sorted lists, each with its own GC worker, driven through the same random workloads over
// several nodes (inserts, closes, lookups, removes, samples, handles passed with the wrong node).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type GcPass, type GcTable, GcWorker } from '../../src/proxy/conntrack-gc.js';
import { ConntrackPool, type WhenFull } from '../../src/proxy/conntrack-pool.js';

/** One node's table as a Map of open entries (insertion order) and a sorted array of TIME_WAIT expiries. */
class PlainTable implements GcTable {
  private readonly open = new Map<number, { readonly endpoint: number; readonly expiresNs: number }>();
  private closing: number[] = [];
  private nextId = 0;
  peak = 0;
  insertFailures = 0;
  evicted = 0;
  readonly gc: GcWorker | null;

  constructor(
    readonly max: number,
    private readonly whenFull: WhenFull,
    gc: boolean,
    onPass: (p: GcPass) => void,
  ) {
    this.gc = gc && whenFull === 'drop' ? new GcWorker(onPass) : null;
  }

  get count(): number {
    return this.open.size + this.closing.length;
  }

  get droppable(): number {
    return this.closing.length;
  }

  reclaim(nowNs: number): void {
    for (const [id, e] of this.open) if (e.expiresNs <= nowNs) this.open.delete(id);
    this.closing = this.closing.filter((at) => at > nowNs);
  }

  earlyDrop(n: number): void {
    this.closing.splice(0, n);
  }

  clampedRemainingSumNs(nowNs: number, minNs: number, clampNs: number): number {
    const clamp = (at: number) => Math.min(clampNs, Math.max(minNs, at - nowNs));
    let sum = 0;
    for (const e of this.open.values()) sum += clamp(e.expiresNs);
    for (const at of this.closing) sum += clamp(at);
    return sum;
  }

  settle(nowNs: number): void {
    this.reclaim(nowNs);
    this.gc?.advanceTo(nowNs, this);
  }

  insert(endpoint: number, timeoutNs: number, nowNs: number): number {
    this.settle(nowNs);
    if (this.count === this.max) {
      if (this.whenFull === 'drop') {
        this.insertFailures++;
        if (this.gc !== null) this.gc.earlyDropFlag = true;
        return -1;
      }
      this.evicted++;
      if (this.closing.length > 0) this.closing.shift();
      else this.open.delete(this.open.keys().next().value as number);
    }
    this.open.set(this.nextId, { endpoint, expiresNs: nowNs + timeoutNs });
    this.peak = Math.max(this.peak, this.count);
    return this.nextId++;
  }

  lookup(id: number, nowNs: number): number {
    const e = this.open.get(id);
    if (e === undefined) return -1;
    if (e.expiresNs > nowNs) return e.endpoint;
    this.open.delete(id);
    return -1;
  }

  close(id: number, timeoutNs: number, nowNs: number): void {
    const e = this.open.get(id);
    if (e === undefined) return;
    this.open.delete(id);
    if (e.expiresNs <= nowNs) return;
    const at = nowNs + timeoutNs;
    let k = this.closing.length;
    while (k > 0 && this.closing[k - 1] > at) k--;
    this.closing.splice(k, 0, at);
  }

  remove(id: number): boolean {
    return this.open.delete(id);
  }
}

const NODES = 4;
const MS = 1e6;

const op = fc.record({
  kind: fc.constantFrom('insert', 'insert', 'insert', 'close', 'close', 'lookup', 'remove', 'settle', 'wrong-node'),
  node: fc.nat(NODES - 1),
  which: fc.nat(),
  dtMs: fc.integer({ min: 0, max: 60 }),
  // Connections close a little out of time order (a reply accounted ahead, a timeout behind).
  closeSkewMs: fc.integer({ min: -30, max: 30 }),
});

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function runBoth(max: number, whenFull: WhenFull, gc: boolean, establishedMs: number, timeWaitMs: number, ops: readonly Op[]): void {
  const poolPasses: GcPass[] = [];
  const plainPasses: GcPass[] = [];
  const pool = new ConntrackPool(NODES, max, { whenFull, gc, onGcPass: (p) => poolPasses.push(p) });
  const plain = Array.from({ length: NODES }, () => new PlainTable(max, whenFull, gc, (p) => plainPasses.push(p)));
  // Every entry ever inserted: its node, the pool's handle, the plain table's id.
  const made: [number, number, number][] = [];
  let now = 0;
  for (const o of ops) {
    now += o.dtMs * MS;
    const n = o.node;
    const pick = made.length > 0 ? made[o.which % made.length] : undefined;
    const where = `${o.kind} on node ${n} at ${now / MS} ms`;
    if (o.kind === 'insert') {
      const h = pool.insert(n, made.length, establishedMs * MS, now);
      const id = plain[n].insert(made.length, establishedMs * MS, now);
      if (h >= 0 !== id >= 0) expect.fail(`${where}: store ${h >= 0}, plain ${id >= 0}`);
      if (h >= 0) made.push([n, h, id]);
    } else if (o.kind === 'settle') {
      pool.settle(n, now);
      plain[n].settle(now);
    } else if (pick !== undefined) {
      const [node, h, id] = pick;
      if (o.kind === 'lookup' && pool.lookup(node, h, now) !== plain[node].lookup(id, now)) expect.fail(`${where}: lookups differ`);
      if (o.kind === 'remove' && pool.remove(node, h) !== plain[node].remove(id)) expect.fail(`${where}: removes differ`);
      if (o.kind === 'close') {
        const at = Math.max(0, now + o.closeSkewMs * MS);
        pool.close(node, h, timeWaitMs * MS, at);
        plain[node].close(id, timeWaitMs * MS, at);
      }
      // A handle names an entry of its own node's table only: elsewhere it is no entry at all.
      const other = (node + 1 + (o.which % (NODES - 1))) % NODES;
      if (o.kind === 'wrong-node' && (pool.lookup(other, h, now) !== -1 || pool.remove(other, h))) expect.fail(`${where}: node ${node}'s handle found on node ${other}`);
    }
    for (let k = 0; k < NODES; k++) if (pool.size(k) !== plain[k].count) expect.fail(`${where}: node ${k} holds ${pool.size(k)} in the store, ${plain[k].count} plain`);
  }
  for (let k = 0; k < NODES; k++) {
    const p = plain[k];
    expect([pool.peak(k), pool.insertFailures[k], pool.evicted[k], pool.earlyDrops(k), pool.closed(k)]).toEqual([p.peak, p.insertFailures, p.evicted, p.gc?.earlyDrops ?? 0, p.droppable]);
    expect(pool.clampedRemainingSumNs(k, now, 1e9, 300e9)).toBe(p.clampedRemainingSumNs(now, 1e9, 300e9));
  }
  expect(poolPasses).toEqual(plainPasses);
}

describe('conntrack store shared by every node', () => {
  const ops = fc.array(op, { minLength: 200, maxLength: 1200, size: 'max' });
  // Tables small against the traffic fill up, so refusals, evictions and early drops happen.
  const max = fc.integer({ min: 1, max: 80 });
  const established = fc.integer({ min: 50, max: 20_000 });
  const timeWait = fc.integer({ min: 10, max: 8_000 });

  it('keeps each node\'s table as a plain map would, with the GC worker dropping early when full (netfilter)', () => {
    fc.assert(
      fc.property(max, established, timeWait, ops, (m, e, t, o) => runBoth(m, 'drop', true, e, t, o)),
      { numRuns: 150, seed: 20_261_130, endOnFailure: true },
    );
  });

  it('keeps each node\'s table as a plain map would when full tables wait for expiries alone', () => {
    fc.assert(
      fc.property(max, established, timeWait, ops, (m, e, t, o) => runBoth(m, 'drop', false, e, t, o)),
      { numRuns: 80, seed: 20_261_131, endOnFailure: true },
    );
  });

  it('keeps each node\'s table as a plain map would when full tables evict the oldest entry (BPF LRU)', () => {
    fc.assert(
      fc.property(max, established, timeWait, ops, (m, e, t, o) => runBoth(m, 'evict', false, e, t, o)),
      { numRuns: 150, seed: 20_261_132, endOnFailure: true },
    );
  });

  it('holds a million TIME_WAIT entries over several nodes in chunks, reclaiming each at its own expiry', () => {
    const pool = new ConntrackPool(3, 2_000_000, { gc: false });
    // Node k closes connection i at i µs (± a few, out of order), TIME_WAIT 100 ms + k µs.
    for (let i = 0; i < 350_000; i++) {
      for (let k = 0; k < 3; k++) {
        const at = i * 1000 + ((i * 7) % 11) * 100;
        pool.close(k, pool.insert(k, i, 1e12, at), 100 * MS + k * 1000, at);
      }
    }
    for (const t of [351 * MS, 400 * MS, 449 * MS, 451 * MS]) {
      for (let k = 0; k < 3; k++) {
        pool.settle(k, t);
        let live = 0;
        for (let i = 0; i < 350_000; i++) if (i * 1000 + ((i * 7) % 11) * 100 + 100 * MS + k * 1000 > t) live++;
        expect(pool.size(k), `node ${k} at ${t / MS} ms`).toBe(live);
      }
    }
  });
});
