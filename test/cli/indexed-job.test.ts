import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateExperiment } from '../../src/experiment/schema.js';
import { parseShard } from '../../src/experiment/shard.js';

type Doc = Record<string, any>;
const docs = parseAllDocuments(readFileSync('examples/indexed-job.yaml', 'utf8')).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Doc;
});
const job = docs.find((d) => d.kind === 'Job') as Doc;
const container = job.spec.template.spec.containers[0];

describe('examples/indexed-job.yaml', () => {
  it('is an Indexed Job whose shard count matches its completions', () => {
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.spec.completionMode).toBe('Indexed');
    const args: string[] = container.args;
    const shard = args[args.indexOf('--shard') + 1];
    for (let i = 0; i < job.spec.completions; i++) expect(parseShard(shard, String(i))).toEqual({ index: i, count: job.spec.completions });
    expect(args[0]).toBe('run');
    expect(container.command.join(' ')).toMatch(/^npx --yes nodeport-sim@\d+\.\d+\.\d+$/);
  });

  it('pins the published version of this package', () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(container.command.at(-1)).toBe(`nodeport-sim@${version}`);
  });

  it('ships an experiment that validates', () => {
    const cm = docs.find((d) => d.kind === 'ConfigMap') as Doc;
    const raw = parseAllDocuments(cm.data['experiment.yaml'])[0].toJS();
    expect(validateExperiment(raw).issues).toEqual([]);
    expect(Object.keys(cm.data)).toContain('nginx.yaml');
  });
});
