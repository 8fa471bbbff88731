import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CommandResult } from '../../src/cli/cluster-input.js';
import { runDescribe } from '../../src/cli/commands/describe.js';
import { runDiagnose } from '../../src/cli/commands/diagnose.js';
import { type GetFlags, runGet } from '../../src/cli/commands/get.js';
import { runRules } from '../../src/cli/commands/rules.js';
import { buildCluster } from '../../src/cluster/build.js';
import { selectorMatches } from '../../src/cluster/selector.js';
import { readManifestFiles } from '../../src/io/read-manifests.js';
import { dumpObjects } from '../support/dumps.js';
import { RICH_CLUSTER } from '../support/rich-cluster.js';

const TUTORIAL = 'experiments/manifests/nginx.yaml';
const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-cli-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('get', () => {
  it('prints the tutorial service with 80:30080/TCP and exits 0', () => {
    const result = runGet('svc', { filename: [TUTORIAL] });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split('\n')[1].split(/\s{2,}/).slice(0, 5)).toEqual(['nginx-nodeport', 'NodePort', '10.96.0.2', '<none>', '80:30080/TCP']);
  });

  it('accepts kubectl short names and -o wide', () => {
    expect(runGet('ep', { filename: [TUTORIAL] }).stdout).toMatch(/^NAME\s+ENDPOINTS\s+AGE\n/);
    expect(runGet('po', { filename: [TUTORIAL], output: 'wide', nodes: '3' }).stdout).toMatch(/NODE\s+NOMINATED NODE\s+READINESS GATES/);
  });

  it('refuses an unknown resource with exit 2', () => {
    expect(runGet('ingresses', { filename: [TUTORIAL] }).exitCode).toBe(2);
  });
});

describe('bad input exits 2 with a message naming file, object and field', () => {
  const cases = [
    { name: 'a YAML syntax error', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: x\n', expect: /^error: .*bad-0\.yaml:\d+: / },
    { name: 'a name the apiserver refuses', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name}\nspec:\n  ports: [{port: 80}]\n', expect: /Service default\/Bad_Name: metadata\.name: Invalid value: "Bad_Name": a DNS-1035 label/ },
    { name: 'a missing field', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{targetPort: 80}]\n', expect: /Service default\/x: spec\.ports\[0\]\.port: Required value/ },
    { name: 'a wrong type', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{port: "80a"}]\n', expect: /spec\.ports\[0\]\.port: Invalid value: "80a"/ },
  ];
  cases.forEach((c, i) => {
    it(c.name, () => {
      const file = write(`bad-${i}.yaml`, c.text);
      for (const result of [runGet('svc', { filename: [file] }), runDescribe('svc', 'x', { filename: [file] }), runDiagnose({ filename: [file] })]) {
        expect(result.exitCode).toBe(2);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(c.expect);
      }
    });
  });

  it('prints no stack trace from the real binary', () => {
    const file = write('syntax.yaml', 'a: b: c\n');
    const run = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'get', 'svc', '-f', file], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/syntax\.yaml:1: /);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('describe', () => {
  it('prints the tutorial NodePort line', () => {
    expect(runDescribe('svc', 'nginx-nodeport', { filename: [TUTORIAL] }).stdout).toContain('NodePort:                 http  30080/TCP\n');
  });

  it('exits 1 with kubectl NotFound wording for a missing service', () => {
    const result = runDescribe('svc', 'nope', { filename: [TUTORIAL] });
    expect(result).toMatchObject({ exitCode: 1, stderr: 'Error from server (NotFound): services "nope" not found\n' });
  });
});

describe('diagnose', () => {
  it('exits 0 on the tutorial manifests (warnings only)', () => {
    expect(runDiagnose({ filename: [TUTORIAL] }).exitCode).toBe(0);
    expect(runDiagnose({ filename: [TUTORIAL], strict: true }).exitCode).toBe(1);
  });

  it('exits 1 and explains a selector mismatch', () => {
    const file = write(
      'mismatch.yaml',
      execFileSync('sed', ['s/app: nginx          #/app: web #/', TUTORIAL], { encoding: 'utf8' }),
    );
    const result = runDiagnose({ filename: [file] });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/error: Service default\/nginx-nodeport: selector app=web matches no pod.*have app=nginx/);
  });
});

const rich = write('rich.yaml', RICH_CLUSTER.map((o) => stringify(o)).join('---\n'));

const ok = (result: CommandResult): string => {
  expect(result.stderr, result.stderr).toBe('');
  expect(result.exitCode).toBe(0);
  return result.stdout;
};

/** Every object's keys in sorted order, at every depth. */
const keysSorted = (value: unknown): boolean => {
  if (Array.isArray(value)) return value.every(keysSorted);
  if (value === null || typeof value !== 'object') return true;
  const keys = Object.keys(value);
  return keys.every((k, i) => i === 0 || keys[i - 1] < k) && Object.values(value).every(keysSorted);
};

describe('get -o json|yaml', () => {
  for (const [label, file, flags] of [
    ['the tutorial on three nodes', TUTORIAL, { nodes: '3' }],
    ['a cluster with roles, zones, policies, affinity, external IPs and a crash-looping pod', rich, {}],
  ] as const) {
    for (const format of ['yaml', 'json'] as const) {
      it(`round-trips ${label} through -o ${format}: read back with -f, the get tables are the same`, () => {
        const all = { filename: [file], allNamespaces: true, ...flags };
        const printed = write(`printed-${format}-${label.length}.${format}`, ok(runGet('nodes,pods,svc', { ...all, output: format })));
        const table = (f: GetFlags) => ok(runGet('nodes,pods,svc', { ...f, output: 'wide', showLabels: true }));
        expect(table({ filename: [printed], allNamespaces: true })).toBe(table(all));
      });
    }
  }

  it('prints a v1 List whose items are the objects of each type, keys sorted at every depth', () => {
    const list = JSON.parse(ok(runGet('svc,pods', { filename: [rich], output: 'json' })));
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    const { cluster } = buildCluster(readManifestFiles([rich]));
    // The apiserver lists by namespace, then name.
    const inDefault = <T extends { namespace: string; name: string }>(xs: readonly T[]) => xs.filter((x) => x.namespace === 'default').map((x) => x.name).sort();
    expect(list.items.map((i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`)).toEqual([
      ...inDefault(cluster.services).map((n) => `Service/${n}`),
      ...inDefault(cluster.pods).map((n) => `Pod/${n}`),
    ]);
    expect(keysSorted(list)).toBe(true);
  });

  it('prints one named object alone, not in a List, and the same bytes every time', () => {
    const once = ok(runGet(['svc', 'web'], { filename: [rich], output: 'json' }));
    expect(JSON.parse(once)).toMatchObject({ kind: 'Service', metadata: { name: 'web' }, spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } } });
    expect(ok(runGet('svc/web', { filename: [rich], output: 'json' }))).toBe(once);
  });

  it('lists each Endpoints object with the ready and not-ready addresses of its slices', () => {
    const manual = JSON.parse(ok(runGet('ep/manual', { filename: [rich], output: 'json' })));
    expect(manual.subsets).toEqual([{ addresses: [{ ip: '10.0.5.5', nodeName: 'node1' }], notReadyAddresses: [{ ip: '10.0.5.6', nodeName: 'node3' }], ports: [{ port: 9000, protocol: 'TCP' }] }]);
  });

  it('prints an empty List for no match, where the table prints nothing and says so on stderr', () => {
    expect(JSON.parse(ok(runGet('pods', { filename: [rich], output: 'json', selector: 'app=none' })))).toMatchObject({ kind: 'List', items: [] });
    expect(runGet('pods', { filename: [rich], selector: 'app=none' })).toEqual({ stdout: '', stderr: 'No resources found in default namespace.\n', exitCode: 0 });
  });
});

describe('get -o name, names, types and selectors', () => {
  const { cluster } = buildCluster(readManifestFiles([rich]));

  it('-o name prints service/NAME for every service of the namespace', () => {
    const names = cluster.services.filter((s) => s.namespace === 'default').map((s) => `service/${s.name}\n`).sort();
    expect(ok(runGet('svc', { filename: [rich], output: 'name' }))).toBe(names.join(''));
  });

  it('-l selects the pods whose labels a Service selector with the same pairs would select', () => {
    for (const selector of [{ app: 'web' }, { app: 'web', tier: 'front' }, { app: 'db' }, { tier: 'back' }] as Record<string, string>[]) {
      const text = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
      const expected = cluster.pods.filter((p) => selectorMatches(selector, p.labels)).map((p) => `pod/${p.name}\n`).join('');
      const result = runGet('pods', { filename: [rich], output: 'name', selector: text, allNamespaces: true });
      expect(result.stdout, text).toBe(expected);
    }
  });

  it('svc,pods prints one table per type, a blank line apart, names prefixed by their type', () => {
    const both = ok(runGet('svc,pods', { filename: [rich] })).split('\n\n');
    expect(both).toHaveLength(2);
    const prefixed = (type: string, table: string) => table.replace(/^(\S+)/gm, (name, _m, offset) => (offset === 0 ? name : `${type}/${name}`));
    const widen = (text: string) => text.split('\n').map((l) => l.split(/\s{2,}/).join(' '));
    expect(widen(both[0])).toEqual(widen(prefixed('service', ok(runGet('svc', { filename: [rich] })).trimEnd())));
    expect(widen(both[1].trimEnd())).toEqual(widen(prefixed('pod', ok(runGet('pods', { filename: [rich] })).trimEnd())));
  });

  it('--show-labels adds the labels of each object, kubectl-formatted', () => {
    const rows = ok(runGet('nodes', { filename: [rich], showLabels: true })).trimEnd().split('\n');
    expect(rows[0]).toMatch(/\bLABELS$/);
    expect(rows[1]).toMatch(/ node-role\.kubernetes\.io\/control-plane=,topology\.kubernetes\.io\/zone=zone-a$/);
  });

  it('a missing name exits 1 with kubectl NotFound wording, after printing what was found', () => {
    const result = runGet(['svc/web', 'svc/nope', 'pod/gone'], { filename: [rich], output: 'name' });
    expect(result).toEqual({
      stdout: 'service/web\n',
      stderr: 'Error from server (NotFound): services "nope" not found\nError from server (NotFound): pods "gone" not found\n',
      exitCode: 1,
    });
  });

  it('refuses names with a selector, names across namespaces, a bad selector and an unknown format with exit 2', () => {
    for (const [resources, flags] of [
      [['svc', 'web'], { selector: 'app=web' }],
      ['svc/web', { selector: 'app=web' }],
      [['svc', 'web'], { allNamespaces: true }],
      ['pods', { selector: 'app in ()' }],
      ['pods', { output: 'xml' }],
      [['svc', 'svc/web'], {}],
    ] as const) {
      const result = runGet(resources, { filename: [rich], ...flags });
      expect(result.exitCode, JSON.stringify([resources, flags])).toBe(2);
      expect(result.stderr).toMatch(/^error: /);
    }
  });
});

describe('diagnose -o json', () => {
  for (const [label, file] of [
    ['the tutorial', TUTORIAL],
    ['the rich cluster', rich],
  ]) {
    it(`lists ${label}'s findings as {severity, kind, object, message, fix}, as the text does, same exit code`, () => {
      const text = runDiagnose({ filename: [file] });
      const json = runDiagnose({ filename: [file], output: 'json' });
      expect(json.exitCode).toBe(text.exitCode);
      const records = JSON.parse(json.stdout) as Record<string, string>[];
      expect(records.length).toBeGreaterThan(0);
      for (const r of records) expect(Object.keys(r)).toEqual(['fix', 'kind', 'message', 'object', 'severity']);
      const blocks = records.map((r) => `${r.severity}: ${r.kind} ${r.object}: ${r.message}\n  fix: ${r.fix}\n`).join('');
      expect(text.stdout.startsWith(blocks)).toBe(true);
    });
  }
});

describe('rules -o json', () => {
  it('prints the node rules as JSON from the real binary: mode, node, node IP and each service port with its endpoints', () => {
    const run = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'rules', '-f', rich, '--node', 'node1', '--mode', 'nftables', '-o', 'json'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const rules = JSON.parse(run.stdout);
    expect(rules).toMatchObject({ mode: 'nftables', node: 'node1', nodeIP: '192.168.1.10' });
    const { cluster } = buildCluster(readManifestFiles([rich]));
    expect(rules.servicePorts).toHaveLength(cluster.services.reduce((n, s) => n + s.ports.length, 0));
    expect(keysSorted(rules)).toBe(true);
  });
});

describe('a cluster-info dump on standard input, through the real binary', () => {
  it('reads the JSON stream from -f - and prints the nodes, exit 0', () => {
    const objects = dumpObjects('aks') as { kind: string; apiVersion: string }[];
    const lists = ['Node', 'Service', 'Pod', 'EndpointSlice'].map((kind) => ({
      kind: `${kind}List`,
      apiVersion: objects.find((o) => o.kind === kind)?.apiVersion,
      metadata: {},
      items: objects.filter((o) => o.kind === kind).map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
    }));
    const input = lists.map((l) => JSON.stringify(l, null, 4)).join('\n');
    const run = spawnSync('node', ['dist/cli/main.js', 'get', 'nodes', '-f', '-'], { input, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const names = objects.filter((o) => o.kind === 'Node').map((o) => (o as unknown as { metadata: { name: string } }).metadata.name);
    expect(run.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(names);
  });
});

describe('the options every cluster command shares', () => {
  const eks = write('eks.yaml', stringify({ apiVersion: 'v1', kind: 'List', items: dumpObjects('eks') }));
  const openshift = write('openshift.yaml', stringify({ apiVersion: 'v1', kind: 'List', items: dumpObjects('openshift') }));

  it('--verbose names the ranges and which were read off the input', () => {
    const result = runGet('svc', { filename: [openshift], verbose: true });
    expect(result.exitCode).toBe(0);
    // OpenShift's service network 172.30.0.0/16 lies outside kubeadm's default 10.96.0.0/12.
    expect(result.stderr).toMatch(/^I: service range \(--service-cluster-ip-range\): 172\.30\.0\.0\/\d+ \(the smallest block holding the input's addresses\)$/m);
    expect(result.stderr).toMatch(/^I: nodePort range \(--service-node-port-range\): 30000-32767$/m);
  });

  it('--now sets the moment AGE counts to', () => {
    const created = (dumpObjects('eks') as { kind: string; metadata: { name: string; creationTimestamp: string } }[]).find((o) => o.kind === 'Service' && o.metadata.name === 'web')!.metadata.creationTimestamp;
    const now = new Date(Date.parse(created) + 3 * 86_400_000 + 5 * 3_600_000).toISOString();
    const row = runGet(['svc', 'web'], { filename: [eks], now }).stdout.split('\n')[1];
    // HumanDuration: between 2 and 8 days, days and hours.
    expect(row.trim().split(/\s{2,}/).at(-1)).toBe('3d5h');
    expect(runGet('svc', { filename: [eks], now: 'yesterday' }).exitCode).toBe(2);
  });

  it('rules prints any generated node, and needs no --node on a one-node cluster', () => {
    const three = runRules({ filename: [TUTORIAL], nodes: '3', node: 'node-3', mode: 'ipvs' });
    expect(three.exitCode).toBe(0);
    expect(three.stdout).toContain('192.168.49.4:30080');
    expect(runRules({ filename: [TUTORIAL], nodes: '3' }).exitCode).toBe(2);
    expect(runRules({ filename: [TUTORIAL], mode: 'ipvs' }).stdout).toContain('192.168.49.2:30080');
  });

  it('the service range flag moves the cluster IPs; an explicit range is reported as set', () => {
    const result = runGet('svc', { filename: [TUTORIAL], serviceClusterIpRange: '172.30.0.0/16', verbose: true });
    expect(result.stdout.split('\n')[1].split(/\s{2,}/)[2]).toBe('172.30.0.2');
    expect(result.stderr).toMatch(/^I: service range \(--service-cluster-ip-range\): 172\.30\.0\.0\/16$/m);
  });
});
