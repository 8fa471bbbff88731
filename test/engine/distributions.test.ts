import { describe, expect, it } from 'vitest';
import { Constant, Empirical, Exponential, LogNormal, UniformRange } from '../../src/engine/distributions.js';
import { RandomStreams } from '../../src/engine/random.js';

const N = 400_000;
function moments(sample: () => number): { mean: number; variance: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < N; i++) {
    const x = sample();
    sum += x;
    sq += x * x;
  }
  const mean = sum / N;
  return { mean, variance: sq / N - mean * mean };
}

const src = (name: string) => new RandomStreams(11, 0).stream(name);

// Each case states its closed-form mean and variance independently of the class under test.
const cases = [
  { name: 'constant 3', make: () => new Constant(3), mean: 3, variance: 0, tolMean: 1e-12, tolVar: 1e-12 },
  { name: 'uniform [2, 6]', make: () => new UniformRange(2, 6, src('u')), mean: 4, variance: 16 / 12, tolMean: 0.005, tolVar: 0.01 },
  { name: 'exponential mean 2', make: () => new Exponential(2, src('e')), mean: 2, variance: 4, tolMean: 0.01, tolVar: 0.03 },
  { name: 'lognormal mean 5 sd 2', make: () => new LogNormal(5, 2, src('l')), mean: 5, variance: 4, tolMean: 0.01, tolVar: 0.03 },
  { name: 'empirical [1, 2, 2, 7]', make: () => new Empirical([1, 2, 2, 7], src('m')), mean: 3, variance: 5.5, tolMean: 0.01, tolVar: 0.02 },
];

describe('distributions', () => {
  for (const c of cases) {
    it(`${c.name} has the closed-form mean and variance (relative tolerance ${c.tolMean} / ${c.tolVar})`, () => {
      const d = c.make();
      expect(d.mean).toBeCloseTo(c.mean, 12);
      expect(d.variance).toBeCloseTo(c.variance, 12);
      const m = moments(() => d.sample());
      expect(Math.abs(m.mean - c.mean)).toBeLessThanOrEqual(c.tolMean * Math.max(1, c.mean));
      expect(Math.abs(m.variance - c.variance)).toBeLessThanOrEqual(c.tolVar * Math.max(1, c.variance));
    });
  }

  it('rejects parameters that define no distribution', () => {
    expect(() => new Exponential(0, Math.random)).toThrow(/mean must be > 0/);
    expect(() => new UniformRange(3, 1, Math.random)).toThrow(/max/);
    expect(() => new Empirical([], Math.random)).toThrow(/at least one/);
  });
});
