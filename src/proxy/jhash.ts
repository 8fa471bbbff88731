// Bob Jenkins' lookup3 final mix as the kernel's and Cilium's bpf/lib/jhash.h jhash_3words write
// it: the data path hashes a flow's (saddr, dport<<16|sport, nexthdr) with it to index the
// Maglev table (bpf/lib/hash.h hash_from_tuple_v4). 32-bit unsigned arithmetic throughout.

const JHASH_INITVAL = 0xdeadbeef;

const rol32 = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** jhash_3words(a, b, c, initval): __jhash_nwords with initval + JHASH_INITVAL + (3 << 2). */
export function jhash3Words(a: number, b: number, c: number, initval: number): number {
  const iv = (initval + JHASH_INITVAL + (3 << 2)) >>> 0;
  a = (a + iv) >>> 0;
  b = (b + iv) >>> 0;
  c = (c + iv) >>> 0;
  // __jhash_final(a, b, c)
  c = ((c ^ b) - rol32(b, 14)) >>> 0;
  a = ((a ^ c) - rol32(c, 11)) >>> 0;
  b = ((b ^ a) - rol32(a, 25)) >>> 0;
  c = ((c ^ b) - rol32(b, 16)) >>> 0;
  a = ((a ^ c) - rol32(c, 4)) >>> 0;
  b = ((b ^ a) - rol32(a, 14)) >>> 0;
  c = ((c ^ b) - rol32(b, 24)) >>> 0;
  return c;
}
