// Reads an experiment file (one YAML document) and the manifests it names, relative to it.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../input/problems.js';
import { parseManifestText } from './read-manifests.js';

export function readExperimentFile(file: string): unknown {
  return readExperimentSource(file).doc;
}

/** The experiment file's document and its text (for the lines of keys in messages). */
export function readExperimentSource(file: string): { doc: unknown; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError([{ file, path: '', message: code === 'ENOENT' ? 'no such file' : `cannot read file (${code})` }]);
  }
  const docs = parseManifestText(file, text);
  if (docs.length !== 1) {
    throw new InputError([{ file, path: '', message: `expected one YAML document holding the experiment, found ${docs.length}` }]);
  }
  return { doc: docs[0].doc, text };
}

/** Manifest paths are relative to the experiment file's folder. */
export const manifestPaths = (experimentFile: string, manifests: readonly string[]): string[] =>
  manifests.map((m) => resolve(dirname(experimentFile), m));
