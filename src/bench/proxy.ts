// Proxy-table benchmark: compile time and heap for 10 … 100,000 NodePort services × 10
// endpoints on 3 nodes, and wall time per lookup per mode, beside the modelled rules walked.

import { compileNodeTable } from '../proxy/compile.js';
import { syntheticServicePorts } from '../proxy/synthetic.js';
import type { ServicePortInfo } from '../proxy/service-map.js';
import { DEFAULT_COSTS, type NodeProxyTable, PROXY_MODES, type ProxyMode } from '../proxy/types.js';

const SIZES = [10, 1_000, 10_000, 100_000];
const NODES = ['node-0', 'node-1', 'node-2'];
const LOOKUPS = 1_000_000;

/** xorshift32 in a typed array: allocation-free draws for the timing loops. */
function xorshift(seed: number): () => number {
  const s = new Uint32Array([seed || 1]);
  return () => {
    let x = s[0];
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s[0] = x;
    return s[0] / 4_294_967_296;
  };
}

const nowNs = (): number => Number(process.hrtime.bigint());
/** JS heap plus typed-array backing stores, which V8 keeps outside heapUsed. */
const heapMiB = (): number => {
  const m = process.memoryUsage();
  return (m.heapUsed + m.arrayBuffers) / 1_048_576;
};
const gc = (): void => {
  const f = (globalThis as { gc?: () => void }).gc;
  if (f) for (let i = 0; i < 3; i++) f();
};

/** ns per connect: every lookup to `pick()`'s nodePort, with a release for IPVS's counts. */
function timeLookups(table: NodeProxyTable, pick: () => number, random: () => number): { ns: number; rules: number } {
  let rules = 0;
  for (let i = 0; i < 50_000; i++) {
    const np = pick();
    const ep = table.connect(np, 0xcb00_7100 + (i & 1023), i, random);
    if (ep >= 0) table.release(np, ep);
  }
  // Best of three rounds: a GC or JIT pause from the previous cell's compile is not the lookup's.
  let best = Number.POSITIVE_INFINITY;
  const round = Math.floor(LOOKUPS / 3);
  for (let r = 0; r < 3; r++) {
    rules = 0;
    const t0 = nowNs();
    for (let i = 0; i < round; i++) {
      const np = pick();
      const ep = table.connect(np, 0xcb00_7100 + (i & 1023), i, random);
      rules += table.lastRulesWalked;
      if (ep >= 0) table.release(np, ep);
    }
    best = Math.min(best, (nowNs() - t0) / round);
  }
  return { ns: best, rules: rules / round };
}

function compileMeasured(mode: ProxyMode, sps: readonly ServicePortInfo[]): { table: NodeProxyTable; compileMs: number; heap: number } {
  gc();
  const h0 = heapMiB();
  const t0 = nowNs();
  const table = compileNodeTable(mode, 'node-0', sps, DEFAULT_COSTS);
  const compileMs = (nowNs() - t0) / 1e6;
  gc();
  return { table, compileMs, heap: heapMiB() - h0 };
}

function cell(mode: ProxyMode, sps: readonly ServicePortInfo[], baseline: Map<string, number>, log: (line: string) => void): void {
  const n = sps.length;
  // Heap retained by the table (run with node --expose-gc); each cell runs in its own call so
  // the previous cell's table is unreachable when this one is measured.
  const { table, compileMs, heap } = compileMeasured(mode, sps);
  const random = xorshift(7);
  // The simulator's case: one target service among n (its position mid-chain).
  const target = sps[Math.floor(n / 2)].nodePort;
  const t = timeLookups(table, () => target, random);
  const spreadRandom = xorshift(11);
  const s = timeLookups(table, () => sps[Math.floor(spreadRandom() * n)].nodePort, random);
  if (n === SIZES[0]) baseline.set(mode, t.ns);
  const ratio = t.ns / (baseline.get(mode) as number);
  log(
    `${mode.padEnd(9)} ${String(n).padStart(8)}  ${compileMs.toFixed(1).padStart(10)}  ${heap.toFixed(1).padStart(8)}  ${t.ns.toFixed(1).padStart(9)}  ${s.ns.toFixed(1).padStart(9)}  ${t.rules.toFixed(1).padStart(12)}  (target ${ratio.toFixed(2)}× of 10)`,
  );
}

export async function benchProxy(log: (line: string) => void): Promise<void> {
  log(`proxy tables: ${NODES.length} nodes, 10 endpoints per service, ${LOOKUPS.toLocaleString('en')} lookups per cell`);
  log('mode      services  compile_ms  heap_MiB  target_ns  spread_ns  rules_walked');
  const baseline = new Map<string, number>();
  for (const n of SIZES) {
    const sps = syntheticServicePorts(n, 10, NODES);
    for (const mode of PROXY_MODES) cell(mode, sps, baseline, log);
  }
}
