// Cilium's Maglev table against closed forms: MurmurHash3 against smhasher's verification value,
// each backend's share of the slots, the disruption when a backend goes, and the same backend for
// a flow on every node.

import { describe, expect, it } from 'vitest';
import { EbpfTable } from '../../src/proxy/ebpf.js';
import { DEFAULT_MAGLEV_TABLE_SIZE, MAGLEV_TABLE_SIZES, maglevLookupTable, slotCounts } from '../../src/proxy/maglev.js';
import { murmur3Hash128 } from '../../src/proxy/murmur3.js';
import { DEFAULT_COSTS } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';
import { mulberry32 } from '../support/seeded.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `10.244.${i >> 8}.${i & 255}:80`);

describe('MurmurHash3 x64 128', () => {
  it("matches smhasher's VerificationTest value for MurmurHash3_x64_128 (0x6384BA69)", () => {
    // Keys {}, {0}, {0,1}, … {0..254}, key i hashed with seed 256 − i; the 256 hashes (h1 then h2,
    // little-endian) hashed with seed 0; the first four bytes of that, little-endian.
    const hashes = new Uint8Array(16 * 256);
    const key = Uint8Array.from({ length: 256 }, (_, i) => i);
    const put = (at: number, v: bigint) => {
      for (let b = 0; b < 8; b++) hashes[at + b] = Number((v >> BigInt(8 * b)) & 0xffn);
    };
    for (let i = 0; i < 256; i++) {
      const [h1, h2] = murmur3Hash128(key.subarray(0, i), 256 - i);
      put(i * 16, h1);
      put(i * 16 + 8, h2);
    }
    const [final] = murmur3Hash128(hashes, 0);
    expect(Number(final & 0xffffffffn).toString(16)).toBe('6384ba69');
  });
});

describe('Maglev lookup table', () => {
  it.each([
    [3, DEFAULT_MAGLEV_TABLE_SIZE],
    [10, DEFAULT_MAGLEV_TABLE_SIZE],
    [100, DEFAULT_MAGLEV_TABLE_SIZE],
    [2, 251],
  ])('gives each of %i backends M/N within 1 percent of the %i slots, and fills every slot', (n, m) => {
    const table = maglevLookupTable(names(n), m);
    expect(table.length).toBe(m);
    expect(table.every((b) => b >= 0 && b < n)).toBe(true);
    for (const c of slotCounts(table, n)) expect(Math.abs(c - m / n)).toBeLessThanOrEqual(0.01 * (m / n));
  });

  it('accepts only prime sizes, as Cilium requires', () => {
    const prime = (p: number) => p > 1 && Array.from({ length: Math.floor(Math.sqrt(p)) - 1 }, (_, i) => i + 2).every((d) => p % d !== 0);
    expect(MAGLEV_TABLE_SIZES.every(prime)).toBe(true);
    expect(MAGLEV_TABLE_SIZES).toContain(DEFAULT_MAGLEV_TABLE_SIZE);
  });

  it('does not depend on the order the backends are listed in (names are sorted first)', () => {
    const list = names(7);
    const shuffled = [list[3], list[6], list[0], list[5], list[1], list[4], list[2]];
    const a = maglevLookupTable(list, 1021);
    const b = maglevLookupTable(shuffled, 1021);
    for (let j = 0; j < a.length; j++) expect(shuffled[b[j]]).toBe(list[a[j]]);
  });

  it.each([
    [3, 1021],
    [3, DEFAULT_MAGLEV_TABLE_SIZE],
    [10, DEFAULT_MAGLEV_TABLE_SIZE],
  ])('removing one of %i backends (M = %i) remaps its own 1/N of the slots and under 1 percent of the others', (n, m) => {
    const list = names(n);
    const gone = Math.floor(n / 2);
    const before = maglevLookupTable(list, m);
    const rest = list.filter((_, i) => i !== gone);
    const after = maglevLookupTable(rest, m);
    let movedOthers = 0;
    let moved = 0;
    for (let j = 0; j < m; j++) {
      const was = list[before[j]];
      const now = rest[after[j]];
      if (was !== now) moved++;
      if (before[j] !== gone && was !== now) movedOthers++;
    }
    // The removed backend's slots all move (≈ M/N); of the rest, the bound Cilium's own test
    // holds the table to (pkg/maglev TestBackendRemoval, 3 backends, M = 1021, "guaranteed by
    // |backends| * 100 < M"): fewer than 1% of M change hands.
    expect(movedOthers / m).toBeLessThan(0.01);
    expect(Math.abs(moved / m - 1 / n)).toBeLessThan(0.01 + 1 / m);
  });

  it('sends one client flow to the same backend on every node (random is per node)', () => {
    const sp = servicePort({
      nodePort: 30080,
      endpoints: ['node-a', 'node-b', 'node-c', 'node-a', 'node-b'].map((node, i) => ({ ip: `10.244.${i}.7`, node })),
    });
    const nodes = [
      ['node-a', '192.168.1.10'],
      ['node-b', '192.168.1.11'],
      ['node-c', '192.168.1.12'],
    ];
    const tables = (algorithm: 'random' | 'maglev') =>
      nodes.map(([name, ip]) => new EbpfTable(name, [sp], DEFAULT_COSTS, { nodeIP: ip, ebpf: { algorithm, maglevTableSize: 16381, nodePortMode: 'snat' } }));
    const maglev = tables('maglev');
    const random = mulberry32(5);
    const seen = new Set<number>();
    for (let f = 0; f < 2000; f++) {
      const ip = 0x64400001 + (f % 97);
      const port = 32768 + f;
      const picks = maglev.map((t) => t.connect(30080, ip, 0, random, port));
      expect(new Set(picks).size, `flow ${ip}:${port}: ${picks}`).toBe(1);
      seen.add(picks[0]);
    }
    expect(seen.size).toBe(5);
    const rand = tables('random');
    let differ = 0;
    for (let f = 0; f < 200; f++) {
      const picks = rand.map((t) => t.connect(30080, 0x64400001, 0, random, 32768 + f));
      if (new Set(picks).size > 1) differ++;
    }
    expect(differ).toBeGreaterThan(100);
  });
});
