// Each node's softirq cores and backlog against a plain model: per node an array of departure
// times in arrival order and each core's free time, driven through the same random packets over
// several nodes — backlogs small and large, rings that stay in a node's row and rings that spill.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SoftirqCpus } from '../../src/traffic/softirq-cpus.js';

/** The backlog as a FIFO of departures: expired ones leave from the front; a full one forgets its oldest on a reply. */
class PlainCpus {
  private readonly queue: number[][];
  private readonly freeAt: number[][];
  constructor(
    nodes: number,
    cores: number,
    private readonly slots: number,
  ) {
    this.queue = Array.from({ length: nodes }, () => []);
    this.freeAt = Array.from({ length: nodes }, () => new Array<number>(cores).fill(0));
  }
  hasRoom(node: number, nowNs: number): boolean {
    const q = this.queue[node];
    while (q.length > 0 && q[0] <= nowNs) q.shift();
    return q.length < this.slots;
  }
  admit(node: number, nowNs: number, costNs: number): number {
    const q = this.queue[node];
    if (q.length === this.slots) q.shift();
    const f = this.freeAt[node];
    let best = 0;
    for (let c = 1; c < f.length; c++) if (f[c] < f[best]) best = c;
    const done = Math.max(f[best], nowNs) + costNs;
    f[best] = done;
    q.push(done);
    return done;
  }
}

const NODES = 3;

describe('softirq cores and backlog', () => {
  it('admit, depart and refuse packets as a plain FIFO per node does, whether a ring stays in its row or spills', () => {
    const packet = fc.record({
      node: fc.nat(NODES - 1),
      dtNs: fc.integer({ min: 0, max: 1000 }),
      costNs: fc.integer({ min: 1, max: 400 }),
      // A reply does not ask for room first.
      asks: fc.boolean(),
    });
    fc.assert(
      // Gaps scaled down by `pace` load the nodes beyond their cores, so backlogs fill and refuse.
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.array(packet, { minLength: 50, maxLength: 800 }), (cores, backlog, pace, packets) => {
        const cpus = new SoftirqCpus(NODES, cores, backlog);
        const plain = new PlainCpus(NODES, cores, backlog + cores);
        let now = 0;
        for (const p of packets) {
          now += Math.floor(p.dtNs / pace);
          if (p.asks && cpus.hasRoom(p.node, now) !== plain.hasRoom(p.node, now)) expect.fail(`room on node ${p.node} at ${now}`);
          const done = cpus.admit(p.node, now, p.costNs);
          if (done !== plain.admit(p.node, now, p.costNs)) expect.fail(`departure on node ${p.node} at ${now}`);
        }
        // After every packet has left, each node has room for a full backlog again.
        for (let n = 0; n < NODES; n++) expect(cpus.hasRoom(n, now + 1e9)).toBe(true);
      }),
      { numRuns: 300, seed: 20_261_130, endOnFailure: true },
    );
  });
});
