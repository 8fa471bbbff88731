// A small seeded PRNG for tests (mulberry32), so statistical tests are reproducible.

export function mulberry32(seed: number): () => number {
  const s = new Uint32Array([seed >>> 0]);
  return () => {
    s[0] = (s[0] + 0x6d2b79f5) >>> 0;
    let t = s[0];
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
