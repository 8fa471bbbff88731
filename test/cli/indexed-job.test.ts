import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { validateExperiment } from '../../src/experiment/schema.js';
import { parseShard } from '../../src/experiment/shard.js';
import { execForm, imageEntrypoint, installDir, last, readDockerfile } from '../package/dockerfile.js';
import { fileTree } from '../support/file-tree.js';

// examples/indexed-job.yaml: validated against the Kubernetes API schema (kubernetes-models), and
// its containers' own command lines run here, as the kubelet would start them, with the image's
// entrypoint pointed at this repository's build (run `npm run build` first).

type Doc = Record<string, any>;
const docs = parseAllDocuments(readFileSync('examples/indexed-job.yaml', 'utf8')).map((d) => {
  expect(d.errors).toEqual([]);
  return d.toJS() as Doc;
});
const named = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name) as Doc;
const shards = named('Job', 'nodeport-sim-shards');
const merge = named('Job', 'nodeport-sim-merge');
const configMap = docs.find((d) => d.kind === 'ConfigMap') as Doc;
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'batch/v1/Job': Job,
};

/** The kubelet's expansion of `$(NAME)` in command and args: `$$` is a literal `$`, unknown names stay. */
const expand = (s: string, env: Readonly<Record<string, string>>): string =>
  s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in env ? env[name] : m));

const stages = readDockerfile();
const imageCmd = execForm(last(stages[stages.length - 1], 'CMD'));
/** Inside the image the package lives here; outside, this repository is that package. */
const packageInImage = `${installDir(stages)}/node_modules/nodeport-sim`;

/** Every mount path in a string (an argument or a shell script) replaced by its local folder. */
function mapPaths(s: string, mounts: readonly (readonly [string, string])[]): string {
  let out = s;
  for (const [inPod, local] of [...mounts].sort((a, b) => b[0].length - a[0].length)) {
    out = out.replace(new RegExp(`(^|[\\s'"=])${inPod.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[/\\s'"])`, 'g'), `$1${local}`);
  }
  return out;
}

/**
 * Starts one container of a Job's pod here: command (or the image's entrypoint) and args (or
 * the image's CMD) expanded with its env, each volume mounted at a local folder.
 */
function runContainer(job: Doc, container: Doc, volumeDirs: Readonly<Record<string, string>>, env: Readonly<Record<string, string>>, timeoutMs?: number) {
  const podEnv: Record<string, string> = { ...env };
  for (const e of container.env ?? []) podEnv[e.name] = expand(e.value, podEnv);
  const mounts: [string, string][] = (container.volumeMounts ?? []).map((m: Doc) => [m.mountPath, volumeDirs[m.name]]);
  mounts.push([packageInImage, resolve('.')]);
  for (const v of job.spec.template.spec.volumes) expect(volumeDirs[v.name], `volume ${v.name}`).toBeDefined();
  const argv = [...(container.command ?? imageEntrypoint(stages)), ...(container.args ?? (container.command ? [] : imageCmd))].map((a: string) =>
    mapPaths(expand(a, podEnv), mounts),
  );
  const cwd = container.workingDir === undefined ? mkdtempSync(join(tmpdir(), 'nodeport-sim-pod-')) : mapPaths(container.workingDir, mounts);
  return spawnSync(argv[0], argv.slice(1), {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...podEnv },
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs, stdio: 'ignore' as const }),
  });
}


describe('examples/indexed-job.yaml', () => {
  it('holds only objects that validate against the Kubernetes API schema', () => {
    expect(docs.map((d) => `${d.apiVersion}/${d.kind}`).sort()).toEqual(['batch/v1/Job', 'batch/v1/Job', 'v1/ConfigMap', 'v1/PersistentVolumeClaim']);
    for (const d of docs) expect(() => new MODELS[`${d.apiVersion}/${d.kind}`](d).validate(), `${d.kind} ${d.metadata.name}`).not.toThrow();
    // The validator is not a formality: a wrong type in the same document is refused.
    expect(() => new Job({ ...shards, spec: { ...shards.spec, completions: 'four' } }).validate()).toThrow(/completions/);
  });

  it('runs an Indexed Job whose shard count is its completions, with the image of this version', () => {
    expect(shards.spec.completionMode).toBe('Indexed');
    const container = shards.spec.template.spec.containers[0];
    const args: string[] = container.args;
    const shard = args[args.indexOf('--shard') + 1];
    for (let i = 0; i < shards.spec.completions; i++) expect(parseShard(shard, String(i))).toEqual({ index: i, count: shards.spec.completions });
    for (const job of [shards, merge]) {
      for (const c of [...(job.spec.template.spec.initContainers ?? []), ...job.spec.template.spec.containers]) expect(c.image).toBe(`nodeport-sim:${version}`);
      // The image's user is not root; the pod says so, so a root image would be refused.
      expect(job.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    }
  });

  it('ships an experiment that validates', () => {
    const raw = parseAllDocuments(configMap.data['experiment.yaml'])[0].toJS();
    const { experiment, issues } = validateExperiment(raw);
    expect(issues).toEqual([]);
    for (const m of experiment?.cluster.manifests ?? []) expect(Object.keys(configMap.data)).toContain(m);
  });

  it('gives, shard by shard then merged, byte for byte the files of one unsharded run', () => {
    const root = mkdtempSync(join(tmpdir(), 'nodeport-sim-job-'));
    const configDir = join(root, 'configmap');
    const volume = join(root, 'pvc');
    mkdirSync(configDir);
    mkdirSync(volume);
    for (const [name, text] of Object.entries(configMap.data)) writeFileSync(join(configDir, name), text as string);
    const volumes = { experiment: configDir, results: volume };

    const shardContainer = shards.spec.template.spec.containers[0];
    const [wait] = merge.spec.template.spec.initContainers;
    for (let i = 0; i < shards.spec.completions; i++) {
      if (i === shards.spec.completions - 1) {
        // One shard short: the merge Job's init container is still waiting when it is stopped.
        const early = runContainer(merge, wait, volumes, {}, 3000);
        expect(early.signal).toBe('SIGTERM');
      }
      const r = runContainer(shards, shardContainer, volumes, { JOB_COMPLETION_INDEX: String(i) });
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.status).toBe(0);
    }
    const waited = runContainer(merge, wait, volumes, {});
    expect(waited.status).toBe(0);
    const merged = runContainer(merge, merge.spec.template.spec.containers[0], volumes, {});
    expect(merged.stderr).not.toMatch(/error/i);
    expect(merged.status).toBe(0);

    const single = spawnSync('node', ['dist/cli/main.js', 'run', join(configDir, 'experiment.yaml'), '--quiet', '--out', join(root, 'single')], { encoding: 'utf8' });
    expect(single.status).toBe(0);
    const mergeContainer = merge.spec.template.spec.containers[0];
    const mounts = mergeContainer.volumeMounts.map((m: Doc) => [m.mountPath, volumes[m.name as keyof typeof volumes]] as const);
    const want = fileTree(join(root, 'single'));
    const got = fileTree(mapPaths(mergeContainer.args.at(-1), mounts));
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [path, bytes] of want) expect(bytes.equals(got.get(path) as Buffer), path).toBe(true);

    // The same experiment with node-3 left without a pod: round-robin ingress sends it a third of
    // the requests, which Local drops, so the error gate fails at Local (and only there).
    const holed = spawnSync('node', ['dist/cli/main.js', 'run', join(configDir, 'experiment.yaml'), '--quiet', '--out', join(root, 'holed'), '--set', 'cluster.placement=[2,2,0]', '--set', 'durationS=3'], { encoding: 'utf8' });
    expect(holed.status).toBe(1);
    expect(holed.stderr).toMatch(/^assert\[1\] error_share < 0\.001 fails at service\.externalTrafficPolicy=Local: mean 0\.33\d* ± /m);
    expect(holed.stderr).not.toMatch(/externalTrafficPolicy=Cluster/);
  });
});
