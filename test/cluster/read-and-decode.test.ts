import { describe, expect, it } from 'vitest';
import { decodeManifests } from '../../src/cluster/decode.js';
import { InputError } from '../../src/input/problems.js';
import { parseManifestText, readManifestFiles } from '../../src/io/read-manifests.js';

const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected an InputError');
};

const decodeText = (text: string) => decodeManifests(parseManifestText('in.yaml', text));

const service = (spec: string) => `apiVersion: v1
kind: Service
metadata:
  name: nginx
spec:
${spec}`;

describe('reading manifests', () => {
  it('reads the tutorial manifest as a Deployment and a Service', () => {
    const docs = readManifestFiles(['experiments/manifests/nginx.yaml']);
    const decoded = decodeManifests(docs);
    expect(decoded.deployments.map((d) => [d.name, d.replicas])).toEqual([['nginx-deployment', 3]]);
    expect(decoded.services[0].ports[0]).toMatchObject({ name: 'http', port: 80, targetPort: 80, nodePort: 30080 });
    expect(decoded.services[0].selector).toEqual({ app: 'nginx' });
  });

  it('reads spec.internalTrafficPolicy, Cluster (the API default) when absent', () => {
    const policies = (spec: string) => decodeText(service(`${spec}  ports:\n  - port: 80\n`)).services.map((s) => s.internalTrafficPolicy ?? 'Cluster');
    expect(policies('  internalTrafficPolicy: Local\n')).toEqual(['Local']);
    expect(policies('  internalTrafficPolicy: Cluster\n')).toEqual(['Cluster']);
    expect(policies('')).toEqual(['Cluster']);
  });

  it('skips empty documents between separators', () => {
    expect(parseManifestText('a.yaml', 'a: 1\n---\n---\nb: 2\n---\n').map((d) => d.index)).toEqual([0, 2]);
  });

  it('names a missing file', () => {
    expect(issuesOf(() => readManifestFiles(['no/such.yaml']))).toEqual(['no/such.yaml: no such file']);
  });
});

describe('bad input is reported with file, object, field and expectation', () => {
  const cases: { name: string; text: string; expect: RegExp[] }[] = [
    {
      name: 'a YAML syntax error names the file and line',
      text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n    bad: [1\n',
      expect: [/^in\.yaml:\d+: /],
    },
    {
      name: 'a name the apiserver refuses, quoted short and escaped',
      text: service('  ports:\n  - port: 80\n').replace('name: nginx', 'name: "Bad_Name!!"'),
      expect: [/^in\.yaml: Service default\/Bad_Name!!: metadata\.name: Invalid value: "Bad_Name!!": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/],
    },
    {
      name: 'a handled kind under the wrong apiVersion',
      text: 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: web\n',
      expect: [/^in\.yaml: Deployment default\/web: apiVersion: unsupported apiVersion "extensions\/v1beta1" for kind Deployment; expected apps\/v1$/],
    },
    {
      name: 'a missing port number',
      text: service('  type: NodePort\n  ports:\n  - targetPort: 80\n'),
      expect: [/^in\.yaml: Service default\/nginx: spec\.ports\[0\]\.port: Required value: expected an integer between 1 and 65535$/],
    },
    {
      name: 'a port of the wrong type',
      text: service('  ports:\n  - port: eighty\n'),
      expect: [/^in\.yaml: Service default\/nginx: spec\.ports\[0\]\.port: Invalid value: "eighty": expected an integer between 1 and 65535$/],
    },
    {
      name: 'an internalTrafficPolicy the API does not know',
      text: service('  internalTrafficPolicy: Node\n  ports:\n  - port: 80\n'),
      expect: [/^in\.yaml: Service default\/nginx: spec\.internalTrafficPolicy: .*"Node".*Cluster.*Local/],
    },
    {
      name: 'a missing metadata.name',
      text: 'apiVersion: v1\nkind: Pod\nmetadata: {}\nspec:\n  containers: [{name: c}]\n',
      expect: [/^in\.yaml: Pod default\/<unnamed>: metadata\.name: Required value/],
    },
    {
      name: 'a numeric label value',
      text: service('  selector:\n    version: 1\n  ports:\n  - port: 80\n'),
      expect: [/spec\.selector\.version: Invalid value: 1: expected a string/],
    },
    {
      name: 'a Deployment whose selector does not match its template',
      text: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: nginx}}
    spec: {containers: [{name: c}]}
`,
      expect: [/Deployment default\/web: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`/],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const lines = issuesOf(() => decodeText(c.text));
      for (const re of c.expect) expect(lines.some((l) => re.test(l)), lines.join('\n')).toBe(true);
    });
  }

  it('collects every issue of every document before failing', () => {
    const text = `${service('  ports:\n  - port: eighty\n')}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: B}\nspec: {containers: [{name: c}]}\n`;
    expect(issuesOf(() => decodeText(text))).toHaveLength(2);
  });

  it('a syntax error reports the line it is on', () => {
    const lines = issuesOf(() => parseManifestText('in.yaml', 'a: 1\nb: 2\nc: d: e\n'));
    expect(lines[0]).toMatch(/^in\.yaml:3: /);
  });
});

describe('kinds the simulator does not model', () => {
  it('skips known kinds with a note and unwraps v1 Lists', () => {
    const decoded = decodeText(`apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: ConfigMap, metadata: {name: cfg}}
- {apiVersion: v1, kind: Node, metadata: {name: n1}}
- {apiVersion: example.com/v1, kind: Widget, metadata: {name: w}}
`);
    expect(decoded.nodes.map((n) => n.name)).toEqual(['n1']);
    expect(decoded.notes).toEqual(['skipped 2 object(s) the simulator does not use: ConfigMap (1), Widget.example.com (1)']);
  });

  it('notes a mistyped kind with the kind it most likely meant, and runs on', () => {
    const decoded = decodeText('apiVersion: v1\nkind: Servise\nmetadata:\n  name: x\n');
    expect(decoded.notes).toEqual(['skipped 1 object(s) the simulator does not use: Servise (1; did you mean Service?)']);
  });
});
