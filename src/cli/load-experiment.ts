// Reading an experiment as the commands that run one take it: the file, then --set, --seed and
// --replications on top, validated, with its manifests read.

import { parse as parseYaml } from 'yaml';
import { InputError } from '../input/problems.js';
import { setPath } from '../experiment/plan.js';
import type { Experiment, LocateLine } from '../experiment/schema.js';
import { dottedPath, validateExperiment } from '../experiment/schema.js';
import { lineOf, yamlPathLines } from '../input/yaml-lines.js';
import { manifestPaths, readExperimentSource } from '../io/read-experiment.js';
import { type ManifestDoc, readManifestFiles } from '../io/read-manifests.js';

/** `--set a.b=value`: the value is read as YAML, so numbers, lists and maps work. */
export function applySets(raw: unknown, sets: readonly string[]): unknown {
  let out = raw;
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new InputError([{ path: '--set', message: `got "${s}", expected path=value, e.g. traffic.ratePerS=2000` }]);
    let value: unknown;
    try {
      value = parseYaml(s.slice(eq + 1));
    } catch (error) {
      throw new InputError([{ path: '--set', message: `got "${s}", whose value is not YAML: ${(error as Error).message.split('\n')[0]}` }]);
    }
    out = setPath(out, s.slice(0, eq), value);
  }
  return out;
}

export interface ExperimentFlags {
  readonly seed?: number;
  readonly replications?: number;
  readonly set: readonly string[];
  /** Largest input file read, in bytes. */
  readonly maxInput?: number;
}

/** Lines of the file's keys, except under a path the flags replaced: that value is not the file's. */
export function locateInFile(text: string, overridden: readonly string[]): LocateLine {
  const lines = yamlPathLines(text);
  const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
  return (at) => {
    const path = dottedPath(at);
    return overridden.some((o) => under(path, o)) ? undefined : lineOf(lines, at);
  };
}

export function loadExperiment(file: string, flags: ExperimentFlags): { experiment: Experiment; docs: ManifestDoc[] } {
  const { doc, text } = readExperimentSource(file, flags.maxInput);
  let raw = applySets(doc, flags.set);
  if (flags.seed !== undefined) raw = setPath(raw, 'seed', flags.seed);
  if (flags.replications !== undefined) raw = setPath(raw, 'replications', flags.replications);
  const overridden = [...flags.set.map((s) => s.slice(0, s.indexOf('='))), ...(flags.seed === undefined ? [] : ['seed']), ...(flags.replications === undefined ? [] : ['replications'])];
  const { experiment, issues } = validateExperiment(raw, file, locateInFile(text, overridden));
  if (!experiment) throw new InputError(issues);
  return { experiment, docs: readManifestFiles(manifestPaths(file, experiment.cluster.manifests), flags.maxInput) };
}
