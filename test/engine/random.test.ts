import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../src/engine/random.js';

const draw = (f: () => number, n: number) => Array.from({ length: n }, f);

describe('RandomStreams', () => {
  it('gives the same numbers for the same seed, replication and name', () => {
    expect(draw(new RandomStreams(7, 2).stream('arrivals'), 100)).toEqual(
      draw(new RandomStreams(7, 2).stream('arrivals'), 100),
    );
  });

  it('does not shift a stream when another stream is created or drawn first', () => {
    const alone = draw(new RandomStreams(7, 0).stream('arrivals'), 50);
    const streams = new RandomStreams(7, 0);
    const other = streams.stream('service');
    draw(other, 1234);
    const arrivals = streams.stream('arrivals');
    draw(streams.stream('a-new-consumer'), 10);
    expect(draw(arrivals, 50)).toEqual(alone);
  });

  it('differs between seeds, replications and names', () => {
    const base = draw(new RandomStreams(7, 0).stream('x'), 5);
    expect(draw(new RandomStreams(8, 0).stream('x'), 5)).not.toEqual(base);
    expect(draw(new RandomStreams(7, 1).stream('x'), 5)).not.toEqual(base);
    expect(draw(new RandomStreams(7, 0).stream('y'), 5)).not.toEqual(base);
  });

  it('draws uniformly on [0, 1)', () => {
    const u = new RandomStreams(1, 0).stream('u');
    const bins = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = u();
      expect(x >= 0 && x < 1).toBe(true);
      bins[Math.floor(x * 10)]++;
    }
    // Chi-square with 9 degrees of freedom: the 0.999 quantile is 27.88.
    const chi2 = bins.reduce((s, b) => s + (b - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88);
  });
});
