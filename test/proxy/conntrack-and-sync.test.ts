// Conntrack bounds and lifetimes; sync timing from minSyncPeriod and modelled restore times.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Conntrack } from '../../src/proxy/conntrack.js';
import { DEFAULT_SYNC, syncDuration } from '../../src/proxy/sync.js';

describe('conntrack', () => {
  it('refuses a new connection when full of live entries, and accepts it once one expires', () => {
    const ct = new Conntrack(2);
    const first = ct.insert(7, 10, 0);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(ct.insert(8, 100, 0)).toBeGreaterThanOrEqual(0);
    expect(ct.insert(9, 10, 5)).toBe(-1);
    const third = ct.insert(9, 10, 11);
    expect(third).toBeGreaterThanOrEqual(0);
    // The first entry expired and its slot went to the third: the old handle no longer reads it.
    expect(ct.lookup(first, 11)).toBe(-1);
    expect(ct.lookup(third, 11)).toBe(9);
    expect(ct.peak).toBe(2);
  });

  it('grows its storage past the first allocation and still counts the maximum exactly', () => {
    const ct = new Conntrack(10_000);
    const handles: number[] = [];
    for (let i = 0; i < 10_000; i++) handles.push(ct.insert(i, 1e12, i));
    expect(handles.every((h) => h >= 0)).toBe(true);
    expect(ct.insert(0, 1e12, 20_000)).toBe(-1);
    expect(handles.every((h, i) => ct.lookup(h, 30_000) === i)).toBe(true);
    ct.close(handles[0], 1, 40_000);
    // The oldest entry, closed with a 1 ns TIME_WAIT, is reclaimed for a new one.
    expect(ct.insert(5, 10, 50_000)).toBeGreaterThanOrEqual(0);
    expect(ct.lookup(handles[0], 50_000)).toBe(-1);
  });

  it('frees a closed connection in TIME_WAIT even behind an older connection that is still open', () => {
    const ct = new Conntrack(2);
    const open = ct.insert(1, 86_400e9, 0); // a keep-alive connection, established
    const closed = ct.insert(2, 86_400e9, 1);
    ct.close(closed, 120e9, 2); // FIN: TIME_WAIT for 120 s
    expect(ct.insert(3, 86_400e9, 100e9)).toBe(-1); // still in TIME_WAIT
    expect(ct.insert(3, 86_400e9, 123e9)).toBeGreaterThanOrEqual(0);
    expect(ct.lookup(open, 123e9)).toBe(1);
    expect(ct.lookup(closed, 123e9)).toBe(-1);
  });

  it('keeps an entry to an endpoint that no longer exists until it times out or is removed', () => {
    const ct = new Conntrack();
    const h = ct.insert(3, 1e9, 0);
    expect(ct.lookup(h, 5e8)).toBe(3);
    expect(ct.remove(h)).toBe(true);
    expect(ct.lookup(h, 5e8)).toBe(-1);
    expect(ct.remove(h)).toBe(false);
  });
});

/** Conntrack as a plain map and a list: every expired entry is gone before an insert, and the limit counts the rest. */
class NaiveConntrack {
  private readonly open = new Map<number, { endpoint: number; expiresNs: number }>();
  private closing: number[] = [];
  private next = 0;
  constructor(readonly max: number) {}
  insert(endpoint: number, timeoutNs: number, nowNs: number): number {
    for (const [k, e] of this.open) if (e.expiresNs <= nowNs) this.open.delete(k);
    this.closing = this.closing.filter((at) => at > nowNs);
    if (this.open.size + this.closing.length >= this.max) return -1;
    this.open.set(this.next, { endpoint, expiresNs: nowNs + timeoutNs });
    return this.next++;
  }
  /** An expired entry found by a lookup is gone. */
  lookup(id: number, nowNs: number): number {
    const e = this.open.get(id);
    if (e !== undefined && e.expiresNs <= nowNs) this.open.delete(id);
    return e !== undefined && e.expiresNs > nowNs ? e.endpoint : -1;
  }
  close(id: number, timeoutNs: number, nowNs: number): void {
    const e = this.open.get(id);
    this.open.delete(id);
    if (e !== undefined && e.expiresNs > nowNs) this.closing.push(nowNs + timeoutNs);
  }
  remove(id: number): void {
    this.open.delete(id);
  }
  get size(): number {
    return this.open.size + this.closing.length;
  }
}

describe('conntrack TIME_WAIT', () => {
  it('counts tens of thousands of closed connections until each one\'s own expiry, whatever order they closed in', () => {
    const ct = new Conntrack(100_000);
    let open = 0;
    const expiries: number[] = [];
    const insertAt = (t: number): void => {
      expect(ct.insert(0, 1e15, t)).toBeGreaterThanOrEqual(0);
      open++;
      const inTimeWait = expiries.filter((e) => e > t).length;
      expect(ct.size, `at ${t}`).toBe(open + inTimeWait);
    };
    const handles = Array.from({ length: 40_000 }, (_, i) => ct.insert(i, 1e15, i));
    open = handles.length;
    // Connection i closes at its turn ± 5 ns, TIME_WAIT 10,000 ns: some first, part of them
    // expiring, then the rest, so the queue's oldest entry moves on while it grows, through
    // several of its chunks, and emptied chunks are used again.
    const closeAll = (from: number, to: number, t0: number): void => {
      for (let i = from; i < to; i++) {
        const at = t0 + i + ((i * 7) % 11) - 5;
        ct.close(handles[i], 10_000, at);
        open--;
        expiries.push(at + 10_000);
      }
    };
    closeAll(0, 12_000, 100_000);
    insertAt(119_000);
    closeAll(12_000, 40_000, 120_000);
    for (const t of [130_000, 145_000, 150_123, 160_000, 169_000, 170_500]) insertAt(t);
  });
});

describe('conntrack against a plain map', () => {
  it('accepts, refuses, expires, counts and forgets the same entries over random workloads (established and TIME_WAIT timeouts)', () => {
    const op = fc.record({
      kind: fc.constantFrom('insert', 'insert', 'insert', 'close', 'close', 'remove', 'lookup'),
      which: fc.nat(),
      dtNs: fc.integer({ min: 0, max: 40 }),
      // Connections close a little out of time order (a reply accounted ahead, a timeout behind).
      closeSkewNs: fc.integer({ min: -200, max: 200 }),
    });
    // Timeouts long against the gaps between packets fill the table and its expiry queues.
    const sizes = [fc.integer({ min: 1, max: 200 }), fc.integer({ min: 50, max: 20_000 }), fc.integer({ min: 10, max: 5_000 })] as const;
    fc.assert(
      fc.property(...sizes, fc.array(op, { minLength: 300, maxLength: 1500, size: 'max' }), (max, established, timeWait, ops) => {
        const ct = new Conntrack(max);
        const naive = new NaiveConntrack(max);
        const handles: [number, number][] = [];
        let now = 0;
        for (const o of ops) {
          now += o.dtNs;
          const pick = handles.length > 0 ? handles[o.which % handles.length] : undefined;
          if (o.kind === 'insert') {
            const h = ct.insert(handles.length, established, now);
            const n = naive.insert(handles.length, established, now);
            if (h >= 0 !== n >= 0) expect.fail(`insert at ${now}: table ${h >= 0}, map ${n >= 0}`);
            // Both have dropped every expired entry by now.
            if (ct.size !== naive.size) expect.fail(`size at ${now}: table ${ct.size}, map ${naive.size}`);
            if (h >= 0) handles.push([h, n]);
          } else if (pick !== undefined) {
            if (o.kind === 'lookup') {
              if (ct.lookup(pick[0], now) !== naive.lookup(pick[1], now)) expect.fail(`lookup at ${now}`);
            } else if (o.kind === 'close') {
              const at = Math.max(0, now + o.closeSkewNs);
              ct.close(pick[0], timeWait, at);
              naive.close(pick[1], timeWait, at);
            } else {
              ct.remove(pick[0]);
              naive.remove(pick[1]);
            }
          }
        }
      }),
      { numRuns: 300, seed: 20_261_126, endOnFailure: true },
    );
  });
});

describe('sync timing', () => {
  const work = { services: 10, endpoints: 40, changedServices: 1, totalRules: 1000, partialRules: 100 };
  const perRule = DEFAULT_SYNC.iptablesGenerateRuleNs + DEFAULT_SYNC.iptablesRuleNs;

  it('generates and restores the partial rules, plus an iptables-save of every rule when cleanup is due', () => {
    expect(syncDuration('iptables', work)).toBe(100 * perRule);
    expect(syncDuration('iptables', { ...work, save: true })).toBe(100 * perRule + 1000 * DEFAULT_SYNC.iptablesSaveRuleNs);
  });

  it('restores every rule on a full sync, or without partial restores', () => {
    expect(syncDuration('iptables', { ...work, full: true })).toBe(1000 * perRule);
    expect(syncDuration('iptables', work, { ...DEFAULT_SYNC, iptablesPartial: false })).toBe(1000 * perRule);
  });

  it('reproduces kubernetes#138073: 578,470 NAT rules take 17.5 s without a save (within 3%)', () => {
    const big = { services: 3595, endpoints: 211_876, changedServices: 3595, totalRules: 578_470, partialRules: 578_470 };
    expect(Math.abs(syncDuration('iptables', big) / 17.512e9 - 1)).toBeLessThan(0.03);
  });

  it('lists the nftables table per service and endpoint: kubernetes#135639 and #139513 within 1%', () => {
    const issue135639 = syncDuration('nftables', { ...work, services: 5006, endpoints: 250_011, changedServices: 0 });
    expect(Math.abs(issue135639 / 132.956e9 - 1)).toBeLessThan(0.01);
    const issue139513 = syncDuration('nftables', { ...work, services: 44_125, endpoints: 44_152, changedServices: 0 });
    expect(Math.abs(issue139513 / 63.297e9 - 1)).toBeLessThan(0.01);
  });

  it('costs IPVS per change and per service walked', () => {
    expect(syncDuration('ipvs', work)).toBe(10 * DEFAULT_SYNC.ipvsPerServiceNs + DEFAULT_SYNC.ipvsPerChangeNs);
  });
});
