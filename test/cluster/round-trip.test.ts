// Two properties over inputs shaped like real dumps: what the tool accepts, its own
// `get ... -o yaml` prints back as the same cluster; and no input, however mangled, ends in
// anything but a cluster or an InputError (never a stack trace) through every command's path.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import type { ManifestDoc } from '../../src/cluster/manifest-doc.js';
import type { Cluster } from '../../src/cluster/model.js';
import { InputError } from '../../src/input/problems.js';
import { diagnoseManifests } from '../../src/kubectl/diagnose.js';
import { formatGetAnswer } from '../../src/kubectl/get-output.js';
import { answerGet, parseGetArguments } from '../../src/kubectl/get-request.js';
import { parseManifestText } from '../../src/io/read-manifests.js';
import { renderNodeRules } from '../../src/proxy/render.js';
import { buildServicePorts } from '../../src/proxy/service-map.js';
import { PROXY_MODES } from '../../src/proxy/types.js';
import { DISTRIBUTIONS, dumpObjects } from '../support/dumps.js';
import { deployment, nodePortService } from '../support/manifests.js';

const ALL = 'svc,endpoints,endpointslices,pods,nodes,deploy';
const docsOf = (objects: readonly unknown[]): ManifestDoc[] => objects.map((doc, index) => ({ file: 'in.yaml', index, doc }));

/** Everything a cluster is made of, order aside. */
const essence = (c: Cluster) => ({
  nodes: c.nodes.map((n) => JSON.stringify([n.name, n.ip, n.ready, n.roles, n.kubeletVersion])).sort(),
  pods: c.pods.map((p) => JSON.stringify([p.namespace, p.name, p.ip, p.nodeName, p.ready, p.status, p.restarts, p.labels])).sort(),
  services: c.services.map((s) => JSON.stringify([s.namespace, s.name, s.type, s.clusterIP, s.ports, s.selector, s.externalName, s.loadBalancerIngress])).sort(),
  rules: buildServicePorts(c).map((sp) => JSON.stringify([sp.name, sp.protocol, sp.clusterIP, sp.nodePort, sp.endpoints.map((e) => [e.key, e.nodeName, e.ready])])).sort(),
});

const accepted = (docs: ManifestDoc[]): Cluster | undefined => {
  try {
    return buildCluster(docs).cluster;
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
};

/** A dump of any distribution with any of its objects left out, plus tutorial-like Deployments. */
const dumpInput = fc
  .record({
    distribution: fc.constantFrom(...DISTRIBUTIONS),
    keep: fc.array(fc.boolean(), { minLength: 60, maxLength: 60 }),
    deployments: fc.array(fc.record({ replicas: fc.integer({ min: 0, max: 5 }), app: fc.constantFrom('shop', 'cart') }), { maxLength: 2 }),
  })
  .map(({ distribution, keep, deployments }) => [
    ...dumpObjects(distribution).filter((_, i) => keep[i % keep.length]),
    ...deployments.map((d, i) => deployment(`dep-${i}`, d.replicas, { app: d.app })),
    ...deployments.map((d, i) => nodePortService(`dep-${i}`, { app: d.app })),
  ]);

describe('what the tool accepts, its own -o yaml gives back', () => {
  it('get svc,endpoints,endpointslices,pods,nodes,deploy -A -o yaml, read again, is the same cluster', () => {
    fc.assert(
      fc.property(dumpInput, (objects) => {
        const docs = docsOf(objects);
        const cluster = accepted(docs);
        fc.pre(cluster !== undefined);
        const request = parseGetArguments([ALL], false);
        if (!request.ok) throw new Error(request.message);
        const options = { allNamespaces: true };
        const text = formatGetAnswer(cluster!, request.value, answerGet(cluster!, request.value, options, []), 'yaml', options).stdout;
        const again = buildCluster(parseManifestText('again.yaml', text)).cluster;
        expect(essence(again)).toEqual(essence(cluster!));
      }),
      { numRuns: 30 },
    );
  });
});

/** Every leaf path of a JSON value, so a mutation can reach any field. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function replaced(value: unknown, path: readonly (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaced(v, rest, by) : v));
  const record = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>) : {};
  return { ...record, [head]: replaced(record[head], rest, by) };
}

describe('no input ends in a stack trace', () => {
  it('any field of a dump replaced by any JSON value: a cluster and every view of it, or an InputError', () => {
    const base = dumpObjects('gke');
    const all = paths(base).slice(1); // the documents themselves, not the list of them
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(all.length - 1), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 }), (mutations) => {
        let objects: unknown = base;
        for (const [at, by] of mutations) objects = replaced(objects, all[at], by);
        const docs = docsOf(objects as unknown[]);
        const cluster = accepted(docs);
        if (cluster === undefined) return;
        diagnoseManifests(docs);
        const request = parseGetArguments([ALL], false);
        if (!request.ok) throw new Error(request.message);
        for (const output of ['wide', 'yaml'] as const) formatGetAnswer(cluster, request.value, answerGet(cluster, request.value, { allNamespaces: true }, []), output, { allNamespaces: true });
        const ports = buildServicePorts(cluster);
        for (const mode of PROXY_MODES) for (const node of cluster.nodes) renderNodeRules(mode, node.name, ports, { nodeIP: node.ip, podCIDR: cluster.ranges?.podCIDR ?? '' });
      }),
      { numRuns: 150 },
    );
  });

  it('arbitrary text, YAML or JSON-looking: documents and a cluster, or an InputError', () => {
    const texty = fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v)), fc.jsonValue().map((v) => `${JSON.stringify(v)}\n${JSON.stringify(v)}`));
    fc.assert(
      fc.property(texty, (text) => {
        try {
          accepted(parseManifestText('in.txt', text));
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
