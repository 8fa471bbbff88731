// Cilium's Maglev lookup table (pkg/maglev/maglev.go, after Eisenbud et al., "Maglev: A Fast and
// Reliable Software Network Load Balancer", NSDI 2016, §3.4): each backend's permutation of the M
// slots comes from murmur3 of its name, and backends take turns claiming their next free slot.
// The names are sorted first, so every node builds the same table for the same backends.

import { murmur3Hash128 } from './murmur3.js';

/** The prime table sizes Cilium accepts for --bpf-lb-maglev-table-size (pkg/maglev, the kube-proxy-free guide). */
export const MAGLEV_TABLE_SIZES = [251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071] as const;
/** pkg/maglev DefaultTableSize. */
export const DEFAULT_MAGLEV_TABLE_SIZE = 16381;
/** pkg/maglev DefaultHashSeed (`--bpf-lb-maglev-hash-seed`), 12 bytes in base64. */
export const DEFAULT_MAGLEV_HASH_SEED = 'JLfvgnHc2kaSUFaI';

/**
 * The three 32-bit seeds Cilium's Init decodes from the base64 seed, each big-endian: murmur3's
 * for the permutations, and jhash's for IPv4 and IPv6 flows (written as HASH_INIT4_SEED and
 * HASH_INIT6_SEED into the data path's defines).
 */
export function maglevSeeds(seed = DEFAULT_MAGLEV_HASH_SEED): { murmur: number; jhash4: number; jhash6: number } {
  const d = Buffer.from(seed, 'base64');
  if (d.length !== 12) throw new Error(`maglev: the hash seed decodes to ${d.length} bytes, not 12`);
  return { murmur: d.readUInt32BE(0), jhash4: d.readUInt32BE(4), jhash6: d.readUInt32BE(8) };
}

const SEEDS = maglevSeeds();

/** getOffsetAndSkip: offset = h1 mod M, skip = h2 mod (M − 1) + 1, from murmur3 of the backend's name. */
export function offsetAndSkip(name: string, m: number, murmurSeed = SEEDS.murmur): { offset: number; skip: number } {
  const [h1, h2] = murmur3Hash128(new TextEncoder().encode(name), murmurSeed);
  return { offset: Number(h1 % BigInt(m)), skip: Number(h2 % BigInt(m - 1)) + 1 };
}

/**
 * GetLookupTable for backends of weight 1: slot → index into `names` (as given, whatever their
 * order). Backend i's permutation is (offset_i + j·skip_i) mod M; in turn n backend n mod N takes
 * the first slot of its permutation still free, until all M are taken.
 */
export function maglevLookupTable(names: readonly string[], m: number, murmurSeed = SEEDS.murmur): Int32Array {
  const entry = new Int32Array(m).fill(-1);
  const l = names.length;
  if (l === 0) return new Int32Array(0);
  if (l > m) throw new Error(`maglev: ${l} backends do not fit a table of ${m}`);
  // Sorted by name (Go's sort.Strings; names are ASCII `ip:port`), as lbmap sorts them.
  const order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  const cur = new Float64Array(l);
  const skip = new Float64Array(l);
  order.forEach((original, i) => {
    const p = offsetAndSkip(names[original], m, murmurSeed);
    cur[i] = p.offset;
    skip[i] = p.skip;
  });
  for (let n = 0; n < m; n++) {
    const i = n % l;
    let c = cur[i];
    while (entry[c] >= 0) c = (c + skip[i]) % m;
    entry[c] = order[i];
    cur[i] = (c + skip[i]) % m;
  }
  return entry;
}

/** Slots each backend owns in `table` (index → count), for `rules` and for the balance tests. */
export function slotCounts(table: Int32Array, backends: number): number[] {
  const counts = new Array<number>(backends).fill(0);
  for (const b of table) counts[b]++;
  return counts;
}
