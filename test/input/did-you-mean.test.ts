import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from '../../src/input/did-you-mean.js';
import { RUN_METRIC_COLUMNS } from '../../src/metrics/run-metrics.js';

/** Optimal string alignment distance by its definition, recursively (exponential: short words only). */
function reference(a: string, b: string): number {
  if (a === '') return b.length;
  if (b === '') return a.length;
  const options = [
    reference(a.slice(1), b) + 1,
    reference(a, b.slice(1)) + 1,
    reference(a.slice(1), b.slice(1)) + (a[0] === b[0] ? 0 : 1),
  ];
  if (a.length > 1 && b.length > 1 && a[0] === b[1] && a[1] === b[0]) options.push(reference(a.slice(2), b.slice(2)) + 1);
  return Math.min(...options);
}

describe('editDistance', () => {
  it('agrees with the recursive definition of insert, delete, substitute and swap neighbours', () => {
    const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'd'), maxLength: 6 });
    fc.assert(fc.property(word, word, (a, b) => editDistance(a, b) === reference(a, b)), { numRuns: 500, seed: 3 });
  });

  it('counts a swap of two neighbours as one edit and ignores case', () => {
    expect(editDistance('rpelications', 'replications')).toBe(1);
    expect(editDistance('Replications', 'replications')).toBe(0);
    expect(editDistance('ingres', 'ingress')).toBe(1);
  });
});

describe('didYouMean', () => {
  it('suggests the closest key', () => {
    expect(didYouMean('rpelications', ['seed', 'replications', 'durationS'])).toBe('replications');
    expect(didYouMean('durationMs', ['seed', 'replications', 'durationS', 'warmupS'])).toBe('durationS');
  });

  it('completes a cut-off metric name, as latency_p99 for latency_p99_ms', () => {
    expect(didYouMean('latency_p99', RUN_METRIC_COLUMNS)).toBe('latency_p99_ms');
  });

  it('suggests nothing for a word far from every candidate', () => {
    expect(didYouMean('surprise', ['seed', 'replications', 'durationS'])).toBeNull();
    expect(didYouMean('x', ['seed', 'name'])).toBeNull();
  });
});
