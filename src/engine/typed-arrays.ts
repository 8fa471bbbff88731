// Growing typed arrays: the engine and the models keep their state in parallel typed arrays
// (no object per event or per connection), and grow them by copying into a larger array.

/** A copy of `a` with room for `length` elements (at least a.length), the new tail zeroed. */
export function growFloat64(a: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(length, a.length));
  b.set(a);
  return b;
}

/** A copy of `a` with room for `length` elements (at least a.length), the new tail set to `fill`. */
export function growInt32(a: Int32Array, length: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(length, a.length));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/** A copy of `a` with room for `length` elements (at least a.length), the new tail zeroed. */
export function growUint8(a: Uint8Array, length: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(Math.max(length, a.length));
  b.set(a);
  return b;
}

/** A growable Int32Array list, doubling when full. */
export class IntList {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) this.data = growInt32(this.data, this.data.length * 2 || 16);
    this.data[this.length++] = v;
  }
  /** A right-sized copy, for a table that keeps it. */
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
