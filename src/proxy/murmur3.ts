// MurmurHash3 x64 128-bit, as cilium/cilium pkg/murmur3 Hash128 computes it (a port of the
// reference smhasher MurmurHash3_x64_128 on a little-endian machine): Cilium's Maglev derives each
// backend's permutation offset and skip from it. 64-bit arithmetic in BigInt; it runs once per
// backend per table build, never per packet.

const MASK64 = (1n << 64n) - 1n;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

const rotl64 = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & MASK64;
const mul64 = (a: bigint, b: bigint): bigint => (a * b) & MASK64;

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = mul64(k, 0xff51afd7ed558ccdn);
  k ^= k >> 33n;
  k = mul64(k, 0xc4ceb9fe1a85ec53n);
  k ^= k >> 33n;
  return k;
}

/** Little-endian 64-bit word of `data` from `at`, reading `n` <= 8 bytes (the tail's partial words). */
function word(data: Uint8Array, at: number, n = 8): bigint {
  let k = 0n;
  for (let i = n - 1; i >= 0; i--) k = (k << 8n) | BigInt(data[at + i]);
  return k;
}

/** Hash128(data, seed) → [h1, h2] as unsigned 64-bit BigInts. */
export function murmur3Hash128(data: Uint8Array, seed: number): [bigint, bigint] {
  const nblocks = Math.floor(data.length / 16);
  let h1 = BigInt(seed >>> 0);
  let h2 = h1;
  for (let i = 0; i < nblocks; i++) {
    let k1 = word(data, i * 16);
    let k2 = word(data, i * 16 + 8);
    k1 = mul64(rotl64(mul64(k1, C1), 31n), C2);
    h1 = ((rotl64(h1 ^ k1, 27n) + h2) * 5n + 0x52dce729n) & MASK64;
    k2 = mul64(rotl64(mul64(k2, C2), 33n), C1);
    h2 = ((rotl64(h2 ^ k2, 31n) + h1) * 5n + 0x38495ab5n) & MASK64;
  }
  const tail = nblocks * 16;
  const rest = data.length - tail;
  if (rest > 8) {
    const k2 = mul64(rotl64(mul64(word(data, tail + 8, rest - 8), C2), 33n), C1);
    h2 ^= k2;
  }
  if (rest > 0) {
    const k1 = mul64(rotl64(mul64(word(data, tail, Math.min(rest, 8)), C1), 31n), C2);
    h1 ^= k1;
  }
  const len = BigInt(data.length);
  h1 ^= len;
  h2 ^= len;
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & MASK64;
  h2 = (h2 + h1) & MASK64;
  return [h1, h2];
}
