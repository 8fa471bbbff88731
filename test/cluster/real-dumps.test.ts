// A `kubectl get svc,endpoints,endpointslices,pods,nodes -A -o yaml` dump of each distribution goes
// through every command: get, describe, diagnose, rules in all three modes, and a run. The truth
// each check holds to is the dump itself: its addresses, its ranges, its timestamps.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runDescribe } from '../../src/cli/commands/describe.js';
import { runDiagnose } from '../../src/cli/commands/diagnose.js';
import { runGet } from '../../src/cli/commands/get.js';
import { runRules } from '../../src/cli/commands/rules.js';
import { buildCluster } from '../../src/cluster/build.js';
import { runExperiment } from '../../src/experiment/runner.js';
import { validateExperiment } from '../../src/experiment/schema.js';
import { readManifestSources } from '../../src/io/manifest-sources.js';
import { PROXY_MODES } from '../../src/proxy/types.js';
import { DISTRIBUTIONS, type Distribution, dumpList, dumpObjects } from '../support/dumps.js';

const dir = mkdtempSync(join(tmpdir(), 'nodeport-sim-dumps-'));
const fileOf = (d: Distribution): string => {
  const file = join(dir, `${d}.yaml`);
  writeFileSync(file, stringify(dumpList(d)));
  return file;
};

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string; creationTimestamp: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}
const objectsOf = (d: Distribution) => dumpObjects(d) as Obj[];
const find = (d: Distribution, kind: string, name: string) => objectsOf(d).find((o) => o.kind === kind && o.metadata.name === name) as Obj;
const cells = (line: string) => line.trim().split(/\s{2,}/);

describe.each(DISTRIBUTIONS)('a %s dump', (d) => {
  const file = fileOf(d);

  it('builds with every address the dump carries, the kubernetes Service at the first address of the inferred range', () => {
    const { cluster } = buildCluster(readManifestSources([file]));
    for (const o of objectsOf(d).filter((x) => x.kind === 'Service')) {
      const s = cluster.services.find((x) => x.name === o.metadata.name && x.namespace === o.metadata.namespace);
      expect(s?.clusterIP ?? '').toBe((o.spec?.clusterIP as string | undefined) ?? '');
    }
    const kubernetes = find(d, 'Service', 'kubernetes').spec?.clusterIP as string;
    const [base] = (cluster.ranges?.serviceCIDR ?? '').split('/');
    const last = (ip: string) => Number(ip.split('.')[3]);
    expect(last(kubernetes)).toBe(last(base) + 1);
    for (const o of objectsOf(d).filter((x) => x.kind === 'Pod')) {
      const pod = cluster.pods.find((p) => p.name === o.metadata.name);
      expect(pod?.ip).toBe((o.status?.podIP as string | undefined) ?? '');
    }
  });

  it('get lists every object with exit 0, AGE counted from the newest timestamp, EXTERNAL-IP as kubectl shows it', () => {
    const result = runGet('svc,endpoints,pods,nodes', { filename: [file], allNamespaces: true, output: 'wide' });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    const newest = Math.max(...objectsOf(d).map((o) => Date.parse(o.metadata.creationTimestamp)));
    const kubernetes = cells(lines.find((l) => l.includes('service/kubernetes')) as string);
    const minutes = (newest - Date.parse(find(d, 'Service', 'kubernetes').metadata.creationTimestamp)) / 60_000;
    // HumanDuration prints whole minutes between 10 and 180 minutes.
    expect(kubernetes[6]).toBe(`${minutes}m`);
    const web = cells(lines.find((l) => l.includes('service/web ')) as string);
    const ingress = ((find(d, 'Service', 'web').status?.loadBalancer as { ingress?: { ip?: string; hostname?: string }[] }).ingress ?? [])[0];
    const shown = ingress === undefined ? '<none>' : (ingress.ip ?? ingress.hostname ?? '');
    expect(web[4]).toBe(shown);
    expect(cells(lines.find((l) => l.includes('service/billing')) as string)[4]).toBe('billing.example.com');
    expect(lines.some((l) => l.includes('CrashLoopBackOff'))).toBe(true);
    const pending = cells(lines.find((l) => l.includes('pod/report-')) as string);
    expect(pending.slice(7, 9)).toEqual(['<none>', '<none>']);
  });

  it('describe shows the dump\'s load balancer ingress and the service\'s IPs', () => {
    const result = runDescribe('svc', 'web', { filename: [file] });
    expect(result.exitCode).toBe(0);
    const clusterIPs = find(d, 'Service', 'web').spec?.clusterIPs as string[];
    expect(result.stdout).toMatch(new RegExp(`IPs:\\s+${clusterIPs.join(',').replace(/\./g, '\\.')}\\n`));
    const ingress = (find(d, 'Service', 'web').status?.loadBalancer as { ingress?: unknown[] }).ingress;
    expect(result.stdout.includes('LoadBalancer Ingress:')).toBe(ingress !== undefined);
  });

  it('diagnose finds nothing wrong in a healthy dump and exits 0', () => {
    const result = runDiagnose({ filename: [file] });
    expect(result.stdout).toBe('no problems found\n');
    expect(result.exitCode).toBe(0);
  });

  it('rules prints every node in every mode, without ExternalName, headless or IPv6 entries', () => {
    const nodes = objectsOf(d).filter((o) => o.kind === 'Node').map((o) => o.metadata.name);
    // Every mode programs the web service's nodePort (IPVS's text shows only its NodePort virtual servers).
    const nodePort = String((find(d, 'Service', 'web').spec?.ports as { nodePort: number }[])[0].nodePort);
    for (const mode of PROXY_MODES) {
      for (const node of nodes) {
        const result = runRules({ filename: [file], mode, node });
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.stdout).toContain(nodePort);
        expect(result.stdout).not.toMatch(/billing|web-headless|fd00:/);
      }
    }
  });

  it('a load balancer\'s ingress IP gets its rules as kube-proxy writes them; a hostname (ELB) gets none', () => {
    const ingress = ((find(d, 'Service', 'web').status?.loadBalancer as { ingress?: { ip?: string }[] }).ingress ?? [])[0];
    const node = objectsOf(d).find((o) => o.kind === 'Node')!.metadata.name;
    const iptables = runRules({ filename: [file], mode: 'iptables', node }).stdout;
    const nft = runRules({ filename: [file], mode: 'nftables', node }).stdout;
    const lbRule = iptables.split('\n').filter((l) => l.includes('"default/web:http loadbalancer IP"'));
    if (ingress?.ip === undefined) {
      expect(lbRule).toEqual([]);
      return;
    }
    expect(lbRule).toHaveLength(1);
    expect(lbRule[0]).toMatch(new RegExp(`^-A KUBE-SERVICES .* -d ${ingress.ip.replace(/\./g, '\\.')} --dport 80 -j KUBE-EXT-`));
    expect(nft).toContain(`${ingress.ip} . tcp . 80 : goto external-`);
  });

  it('runs an experiment against the LoadBalancer or NodePort web service, every request served', () => {
    const { experiment, issues } = validateExperiment({
      name: `dump-${d}`,
      durationS: 0.5,
      warmupS: 0.1,
      cluster: { manifests: [`${d}.yaml`], service: 'web:http' },
      traffic: { ratePerS: 200, clients: 20 },
    });
    expect(issues).toEqual([]);
    const results = runExperiment(experiment!, readManifestSources([file]));
    const row = results.runs[0];
    expect(Number(row.requests)).toBeGreaterThan(0);
    expect(row.ok).toBe(row.requests);
  });
});
