import { describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiment/runner.js';
import { validateExperiment } from '../../src/experiment/schema.js';
import { decodeShard, encodeShard, mergeShards, parseShard, type ShardData } from '../../src/experiment/shard.js';
import { readManifestFiles } from '../../src/io/read-manifests.js';
import { shardFiles } from '../../src/io/shard-files.js';
import { resultFiles } from '../../src/io/write-results.js';

const { experiment } = validateExperiment({
  name: 'shards',
  replications: 2,
  durationS: 0.5,
  warmupS: 0.1,
  cluster: { nodes: 3, manifests: ['m.yaml'] },
  traffic: { ratePerS: 1500 },
  sweep: { 'cluster.placement': [[1, 2, 0], 'spread'], 'service.externalTrafficPolicy': ['Cluster', 'Local'] },
  assert: ['latency_p99_ms < 1000'],
});
if (!experiment) throw new Error('invalid test experiment');
const docs = readManifestFiles(['experiments/manifests/nginx.yaml']);
const TOTAL = 8;
const V = '0.0.0-test';

const asText = (files: { path: string; content: string | Uint8Array }[]) => new Map(files.map((f) => [f.path, Buffer.from(f.content).toString('latin1')]));

async function shardData(index: number, count: number) {
  const results = runExperiment(experiment as NonNullable<typeof experiment>, docs, { shard: { index, count } });
  const files = await shardFiles(experiment as NonNullable<typeof experiment>, results, { index, count }, TOTAL, V);
  const json = files.find((f) => f.path === 'shard.json')?.content as string;
  return { source: `shard-${index}`, data: decodeShard(json), runs: results.runs.map((r) => r.run) };
}

describe('shards', () => {
  it('runs exactly the runs with run % N == I', async () => {
    expect((await shardData(1, 3)).runs).toEqual([1, 4, 7]);
  });

  it.each([2, 3])('merges %i shards into files byte-identical to one unsharded run', async (count) => {
    const whole = asText(await resultFiles(experiment, runExperiment(experiment, docs)));
    const shards = await Promise.all(Array.from({ length: count }, (_, i) => shardData(count - 1 - i, count)));
    const merged = mergeShards(shards, V);
    const files = asText(await resultFiles(merged.experiment, merged.results));
    expect([...files.keys()]).toEqual([...whole.keys()]);
    expect([...files.keys()]).toEqual(expect.arrayContaining(['runs.csv', 'summary.csv', 'pods.csv', 'nodes.csv', 'report.html', 'charts/hops.svg']));
    for (const [path, content] of whole) expect(files.get(path) === content, path).toBe(true);
  });

  it('keeps NaN metrics through shard.json', () => {
    expect(decodeShard('{"a":{"nonFinite":"NaN"},"b":[{"nonFinite":"-Infinity"}]}')).toEqual({ a: Number.NaN, b: [Number.NEGATIVE_INFINITY] });
  });

  it('refuses a missing shard, a duplicate, or shards of different experiments', async () => {
    const [a, b] = [await shardData(0, 2), await shardData(1, 2)];
    expect(() => mergeShards([a], V)).toThrow(/shards 1 of 2 are missing/);
    expect(() => mergeShards([a, a, b], V)).toThrow(/shard 0 is also in shard-0/);
    // A genuine shard of another experiment: its hash is right, its experiment differs.
    const other = { source: 'other', data: decodeShard(encodeShard({ ...(b.data as ShardData), experiment: { ...experiment, seed: 99 } }, V)) };
    expect(() => mergeShards([a, other], V)).toThrow(/other: experiment: differs from shard-0's/);
    expect(() => mergeShards([{ source: 'x/shard.json', data: { hello: 1 } }], V)).toThrow(/x\/shard\.json: is not a nodeport-sim shard/);
  });
});

describe('parseShard', () => {
  it('reads I/N and auto/N with the Indexed Job index', () => {
    expect(parseShard('1/4', undefined)).toEqual({ index: 1, count: 4 });
    expect(parseShard('auto/4', '3')).toEqual({ index: 3, count: 4 });
  });

  it.each([
    ['4/4', undefined, /expected 0 <= I < N/],
    ['0/0', undefined, /expected 0 <= I < N and N >= 1/],
    ['1of4', undefined, /expected I\/N/],
    ['auto/4', undefined, /JOB_COMPLETION_INDEX is not set/],
    ['auto/4', 'x', /"x", not a whole number/],
    ['auto/4', '7', /got shard 7 of 4/],
  ])('refuses %s (JOB_COMPLETION_INDEX=%s)', (text, env, message) => {
    expect(() => parseShard(text, env)).toThrow(message);
  });
});
