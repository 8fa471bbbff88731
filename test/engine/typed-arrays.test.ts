import { describe, expect, it } from 'vitest';
import { IntList, growFloat64, growInt32, growUint8 } from '../../src/engine/typed-arrays.js';

describe('typed-array growth', () => {
  it('keeps every element, zeroes the new tail and returns a new array', () => {
    const a = Float64Array.from([1.5, -2, 3e300]);
    const b = growFloat64(a, 7);
    expect(Array.from(b)).toEqual([1.5, -2, 3e300, 0, 0, 0, 0]);
    expect(b).not.toBe(a);
    expect(Array.from(growUint8(Uint8Array.from([255, 1]), 3))).toEqual([255, 1, 0]);
  });

  it('fills the new tail of an Int32Array with the value asked for, leaving the old part alone', () => {
    expect(Array.from(growInt32(Int32Array.from([0, 5, -1]), 6, -1))).toEqual([0, 5, -1, -1, -1, -1]);
  });

  it('never shrinks: a length below the current one copies the array as it is', () => {
    expect(Array.from(growInt32(Int32Array.from([1, 2, 3]), 1))).toEqual([1, 2, 3]);
  });
});

describe('IntList', () => {
  it('holds what a plain array holds across many doublings, from any starting capacity', () => {
    for (const capacity of [0, 1, 3, 1024]) {
      const list = new IntList(capacity);
      const plain: number[] = [];
      for (let i = 0; i < 5000; i++) {
        const v = (i * 7919) % 10007 - 5000;
        list.push(v);
        plain.push(v);
      }
      expect(list.length).toBe(plain.length);
      expect(Array.from(list.done())).toEqual(plain);
    }
  });
});
