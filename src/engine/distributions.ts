// Random variates drawn from an injected uniform source (as d3-random's `.source()`), each with
// its exact mean and variance so tests and reports can compare against them.

import type { Uniform } from './random.js';

export interface Distribution {
  readonly mean: number;
  readonly variance: number;
  sample(): number;
}

export class Constant implements Distribution {
  readonly variance = 0;
  constructor(readonly mean: number) {}
  sample(): number {
    return this.mean;
  }
}

export class UniformRange implements Distribution {
  readonly mean: number;
  readonly variance: number;
  constructor(
    private readonly min: number,
    private readonly max: number,
    private readonly source: Uniform,
  ) {
    if (!(max >= min)) throw new Error(`uniform: max (${max}) must be >= min (${min})`);
    this.mean = (min + max) / 2;
    this.variance = (max - min) ** 2 / 12;
  }
  sample(): number {
    return this.min + (this.max - this.min) * this.source();
  }
}

export class Exponential implements Distribution {
  readonly variance: number;
  constructor(
    readonly mean: number,
    private readonly source: Uniform,
  ) {
    if (!(mean > 0)) throw new Error(`exponential: mean must be > 0, got ${mean}`);
    this.variance = mean * mean;
  }
  sample(): number {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -this.mean * Math.log(1 - this.source());
  }
}

/** Log-normal given by its own mean and standard deviation (not those of the underlying normal). */
export class LogNormal implements Distribution {
  readonly variance: number;
  private readonly mu: number;
  private readonly sigma: number;
  private spare = Number.NaN;
  constructor(
    readonly mean: number,
    sd: number,
    private readonly source: Uniform,
  ) {
    if (!(mean > 0) || !(sd >= 0)) throw new Error(`lognormal: need mean > 0 and sd >= 0, got ${mean}, ${sd}`);
    this.variance = sd * sd;
    const s2 = Math.log(1 + this.variance / (mean * mean));
    this.sigma = Math.sqrt(s2);
    this.mu = Math.log(mean) - s2 / 2;
  }
  sample(): number {
    return Math.exp(this.mu + this.sigma * this.standardNormal());
  }
  /** Box–Muller; the second variate of each pair is kept for the next call. */
  private standardNormal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = Number.NaN;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.source()));
    const theta = 2 * Math.PI * this.source();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** Resamples a list of observed values, each equally likely. */
export class Empirical implements Distribution {
  readonly mean: number;
  readonly variance: number;
  private readonly values: Float64Array;
  constructor(values: readonly number[], private readonly source: Uniform) {
    if (values.length === 0) throw new Error('empirical: needs at least one value');
    this.values = Float64Array.from(values);
    let sum = 0;
    for (const v of values) sum += v;
    this.mean = sum / values.length;
    let sq = 0;
    for (const v of values) sq += (v - this.mean) ** 2;
    this.variance = sq / values.length;
  }
  sample(): number {
    return this.values[Math.floor(this.source() * this.values.length)];
  }
}
