import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDescribe } from '../../src/cli/commands/describe.js';
import { runDiagnose } from '../../src/cli/commands/diagnose.js';
import { runGet } from '../../src/cli/commands/get.js';

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
    expect(runGet('deployments', { filename: [TUTORIAL] }).exitCode).toBe(2);
  });
});

describe('bad input exits 2 with a message naming file, object and field', () => {
  const cases = [
    { name: 'a YAML syntax error', text: 'apiVersion: v1\nkind: Service\nmetadata: {name: x\n', expect: /^error: .*bad-0\.yaml:\d+: / },
    { name: 'an unknown kind', text: 'apiVersion: v1\nkind: Servise\nmetadata: {name: x}\n', expect: /unknown kind "Servise"/ },
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
