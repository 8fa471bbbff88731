// The Deployment controller's RollingUpdate pacing, against its documented rules: the total pod
// count never passes replicas + maxSurge, the available count never falls below
// replicas − maxUnavailable, and percentages round as intstr does (surge up, unavailable down).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveFenceposts, rolloutWaves } from '../../src/sim/rollout.js';

describe('resolveFenceposts', () => {
  it('rounds maxSurge up and maxUnavailable down, as the Deployment docs describe', () => {
    expect(resolveFenceposts('25%', '25%', 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts('25%', '25%', 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(2, '50%', 5)).toEqual({ surge: 2, unavailable: 2 });
  });

  it('makes maxUnavailable 1 when both come to 0, so a rollout can start', () => {
    expect(resolveFenceposts(0, '10%', 3)).toEqual({ surge: 0, unavailable: 1 });
  });
});

describe('rolloutWaves', () => {
  it('replaces 3 pods one at a time with the defaults (maxSurge 1, maxUnavailable 0)', () => {
    expect(rolloutWaves(3, 1, 0).map((w) => [w.create, w.remove])).toEqual([
      [1, 0],
      [1, 1],
      [1, 1],
      [0, 1],
    ]);
  });

  it('with maxSurge 0 deletes before it creates', () => {
    expect(rolloutWaves(2, 0, 1).map((w) => [w.create, w.remove])).toEqual([
      [1, 1],
      [1, 1],
    ]);
  });

  it('keeps every rollout within replicas + surge pods and replicas − unavailable available, and finishes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 10 }), (replicas, surge, unavail) => {
        const unavailable = surge === 0 && unavail === 0 ? 1 : Math.min(unavail, replicas);
        let old = replicas;
        let created = 0;
        for (const w of rolloutWaves(replicas, surge, unavailable)) {
          const ready = created; // every pod created in an earlier wave is ready now
          // Worst moment inside a wave: all its deletions done, all its creations not yet ready.
          expect(old - w.remove + ready).toBeGreaterThanOrEqual(replicas - unavailable);
          old -= w.remove;
          created += w.create;
          expect(old + created).toBeLessThanOrEqual(replicas + surge);
        }
        expect(old).toBe(0);
        expect(created).toBe(replicas);
      }),
      { numRuns: 300, seed: 20_261_129 },
    );
  });
});
