// Every shape a dump comes in reads as the same objects: multi-document YAML, JSON, a v1 List,
// typed lists of any group, raw API lists whose items carry no apiVersion or kind, `items: null`,
// `kubectl cluster-info dump`'s stream of JSON lists with log sections, stdin, directories (-R).

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildCluster } from '../../src/cluster/build.js';
import type { Cluster } from '../../src/cluster/model.js';
import { InputError } from '../../src/input/problems.js';
import { parseJsonStream } from '../../src/io/json-stream.js';
import { readManifestSources, STDIN_NAME } from '../../src/io/manifest-sources.js';
import { parseManifestText } from '../../src/io/read-manifests.js';
import { dumpObjects } from '../support/dumps.js';

const objects = dumpObjects('eks') as { apiVersion: string; kind: string }[];
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-shapes-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

/** What two readings must agree on: every object, address and endpoint the cluster holds. */
const essence = (c: Cluster) => ({
  nodes: c.nodes.map((n) => [n.name, n.ip]).sort(),
  pods: c.pods.map((p) => [p.namespace, p.name, p.ip, p.nodeName, p.ready]).sort(),
  services: c.services.map((s) => [s.namespace, s.name, s.type, s.clusterIP, JSON.stringify(s.ports)]).sort(),
  endpoints: c.endpointSlices.flatMap((s) => s.endpoints.map((e) => `${s.namespace}/${s.serviceName} ${e.ip} ${e.ready}`)).sort(),
});
const clusterOf = (text: string, file = 'in.yaml') => buildCluster(parseManifestText(file, text)).cluster;
const reference = essence(clusterOf(objects.map((o) => stringify(o)).join('---\n')));

/** The dump's objects grouped by kind, as the API lists them: `ServiceList` of `v1`, `EndpointSliceList` of discovery.k8s.io/v1. */
function typedLists(stripItems: boolean) {
  const byKind = new Map<string, { apiVersion: string; kind: string }[]>();
  for (const o of objects) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o]);
  return [...byKind].map(([kind, items]) => ({
    apiVersion: items[0].apiVersion,
    kind: `${kind}List`,
    metadata: { resourceVersion: '12345' },
    items: stripItems ? items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest) : items,
  }));
}

describe('every shape of the same objects gives the same cluster', () => {
  it('a v1 List in JSON', () => {
    expect(essence(clusterOf(JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }), 'in.json'))).toEqual(reference);
  });

  it('typed lists (ServiceList, discovery.k8s.io/v1 EndpointSliceList, ...) as YAML documents', () => {
    expect(essence(clusterOf(typedLists(false).map((l) => stringify(l)).join('---\n')))).toEqual(reference);
  });

  it('raw API lists whose items carry no apiVersion or kind, plus an empty list with items: null', () => {
    const lists = [...typedLists(true), { apiVersion: 'apps/v1', kind: 'DeploymentList', metadata: {}, items: null }];
    expect(essence(clusterOf(lists.map((l) => stringify(l)).join('---\n')))).toEqual(reference);
  });

  it('kubectl cluster-info dump: pretty JSON lists one after another, container logs between them', () => {
    const logs = '==== START logs for container main of pod default/web-1 ====\n{"level":"info"} not json }\n==== END logs for container main of pod default/web-1 ====\n';
    const text = typedLists(true)
      .map((l, i) => JSON.stringify(l, null, 4) + (i === 0 ? `\n${logs}` : '\n'))
      .join('');
    expect(essence(clusterOf(text, 'cluster-info.json'))).toEqual(reference);
  });

  it('standard input and a directory read recursively', () => {
    const stdin = readManifestSources(['-'], { readStdin: () => stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
    expect(stdin[0].file).toBe(STDIN_NAME);
    expect(essence(buildCluster(stdin).cluster)).toEqual(reference);
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'sub'), { recursive: true });
    const half = Math.floor(objects.length / 2);
    writeFileSync(join(root, 'a.yaml'), objects.slice(0, half).map((o) => stringify(o)).join('---\n'));
    writeFileSync(join(root, 'sub', 'b.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects.slice(half) }));
    writeFileSync(join(root, 'notes.txt'), 'not a manifest');
    expect(essence(buildCluster(readManifestSources([root], { recursive: true })).cluster)).toEqual(reference);
    // Without -R only the directory's own files are read, as with kubectl.
    expect(readManifestSources([root]).length).toBe(half);
  });
});

describe('reading problems are reported, not thrown as bugs', () => {
  it('a JSON stream that never closes names its line', () => {
    expect(parseJsonStream('{"a": 1}\n\n{"b": [1,\n')).toEqual({ ok: false, line: 3, message: 'a JSON value that never closes' });
  });

  it('a directory without manifests says so, and suggests -R', () => {
    const empty = join(dir, 'empty');
    mkdirSync(join(empty, 'deeper'), { recursive: true });
    writeFileSync(join(empty, 'deeper', 'x.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    try {
      readManifestSources([empty]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toMatch(/no \.json, \.yaml, \.yml files in this directory \(add -R/);
    }
    expect(readManifestSources([empty], { recursive: true })).toHaveLength(1);
  });

  it('a missing file next to a good one reports the missing one only', () => {
    const good = write('good.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n');
    expect(() => readManifestSources([good, join(dir, 'missing.yaml')])).toThrow(/missing\.yaml: no such file/);
  });
});
