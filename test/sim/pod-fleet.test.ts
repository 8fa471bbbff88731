import { describe, expect, it } from 'vitest';
import { Admission } from '../../src/engine/station.js';
import { Fate, fateOfVerdict } from '../../src/sim/fate.js';
import { PodFleet } from '../../src/sim/pod-fleet.js';
import { Verdict } from '../../src/proxy/types.js';
import { tinyCluster } from './tiny-cluster.js';

const S = 1e9;

function fleet(concurrency: number, queueLimit: number): PodFleet {
  const cluster = tinyCluster([1]);
  const nodeIndex = new Map(cluster.nodes.map((n, i) => [n.name, i]));
  return new PodFleet(cluster.pods, nodeIndex, { alive: [true], ready: [true] }, { concurrency, queueLimit, warmupNs: 1 * S, endNs: 11 * S });
}

describe('the pod fleet', () => {
  it('integrates the number in system over the window only (Little’s law’s time average)', () => {
    const f = fleet(1, 10);
    // Two requests: one in system from 0 s to 3 s, the other from 2 s to 6 s (it waits until 3 s).
    expect(f.admit(0, 7, 0)).toBe(Admission.Started);
    expect(f.admit(0, 8, 2 * S)).toBe(Admission.Queued);
    expect(f.depart(0, 3 * S, 3 * S)).toBe(8);
    expect(f.depart(0, 6 * S, 4 * S)).toBe(-1);
    const [r] = f.results(new Float64Array([2]), 10 * S, 11 * S);
    // Inside [1 s, 11 s]: one in system 1–2 s, two 2–3 s, one 3–6 s → 1 + 2 + 3 = 6 request-seconds.
    expect(r.meanInSystem).toBeCloseTo(6 / 10, 12);
    expect(r.throughputPerS).toBeCloseTo(2 / 10, 12);
    expect(r.meanTimeInSystemMs).toBeCloseTo(3500, 9);
  });

  it('turns a request away when the queue is full, without counting it in system', () => {
    const f = fleet(1, 1);
    expect(f.admit(0, 1, 2 * S)).toBe(Admission.Started);
    expect(f.admit(0, 2, 2 * S)).toBe(Admission.Queued);
    expect(f.admit(0, 3, 2 * S)).toBe(Admission.Full);
    const [r] = f.results(new Float64Array([3]), 10 * S, 4 * S);
    expect(r.meanInSystem).toBeCloseTo((2 * 2) / 10, 12);
  });

  it('hands back the queued requests when a pod dies, and a new incarnation does not know them', () => {
    const f = fleet(1, 10);
    f.admit(0, 1, 2 * S);
    f.admit(0, 2, 2 * S);
    f.admit(0, 3, 2 * S);
    expect(f.kill(0, 3 * S)).toEqual([2, 3]);
    expect(f.alive[0]).toBe(0);
    expect(f.incarnation[0]).toBe(1);
    f.revive(0);
    expect(f.alive[0]).toBe(1);
    expect(f.setReady(0, true)).toBe(false);
    expect(f.setReady(0, false)).toBe(true);
  });
});

describe('a connection’s fate from the proxy’s verdict', () => {
  it('maps each negative verdict to its own fate and refuses anything else', () => {
    expect(fateOfVerdict(Verdict.Drop)).toBe(Fate.Drop);
    expect(fateOfVerdict(Verdict.Reject)).toBe(Fate.Reject);
    expect(fateOfVerdict(Verdict.NoService)).toBe(Fate.NoService);
    expect(() => fateOfVerdict(0)).toThrow(/not a Verdict/);
  });
});
