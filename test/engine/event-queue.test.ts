// The event queue against a sorted list: pop order, clock, length and cancellation, with many
// events at the same time, the earliest event held outside the heap, and growth from small sizes.

import { expect, it } from 'vitest';
import { EventQueue } from '../../src/engine/event-queue.js';
import { mulberry32 } from '../support/seeded.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly id: number;
  readonly handle: number;
  cancelled: boolean;
}

it('pops events in (time, scheduling order), as a stable sort would, through pushes, cancels and growth', () => {
  for (let seed = 0; seed < 150; seed++) {
    const random = mulberry32(seed);
    const queue = new EventQueue(2 + (seed % 7));
    const reference: Pending[] = [];
    let seq = 0;
    let now = 0;
    for (let op = 0; op < 2000; op++) {
      const r = random();
      if (r < 0.5 || reference.length === 0) {
        // A third of the events at the current time, some just after it, the rest later.
        const kind = random();
        const at = kind < 0.3 ? now : kind < 0.5 ? now + Math.floor(random() * 3) : now + Math.floor(random() * 1000);
        const slot = queue.push(at, 1, op);
        reference.push({ at, seq: seq++, id: op, handle: queue.handleOf(slot), cancelled: false });
      } else if (r < 0.6) {
        const e = reference[Math.floor(random() * reference.length)];
        queue.cancel(e.handle);
        e.cancelled = true;
      } else {
        reference.sort((a, b) => a.at - b.at || a.seq - b.seq);
        expect(queue.length).toBe(reference.length);
        expect(queue.peekTime()).toBe(reference[0].at);
        const want = reference.shift() as Pending;
        const slot = queue.pop();
        const got = `${queue.argOf(slot)}@${queue.lastTime}${queue.isCancelled(slot) ? ' cancelled' : ''}`;
        if (got !== `${want.id}@${want.at}${want.cancelled ? ' cancelled' : ''}`) expect.fail(`seed ${seed}, op ${op}: popped ${got}, expected ${want.id}@${want.at}`);
        now = want.at;
        // Cancelling an event that has fired touches nothing, even when its slot is reused.
        if (random() < 0.1) queue.cancel(want.handle);
      }
    }
    expect(queue.length).toBe(reference.length);
  }
});
