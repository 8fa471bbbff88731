// Reads an experiment file (one YAML document) and the manifests it names, relative to it.

import { dirname, resolve } from 'node:path';
import { InputError } from '../cluster/problems.js';
import { DEFAULT_MAX_INPUT_BYTES, readInputText } from './read-input.js';
import { parseManifestText } from './read-manifests.js';

/** A regular file or `-` (stdin), at most `maxBytes`. */
export function readExperimentFile(file: string, maxBytes: number = DEFAULT_MAX_INPUT_BYTES): unknown {
  const text = readInputText(file, maxBytes);
  const docs = parseManifestText(file, text);
  if (docs.length !== 1) {
    throw new InputError([{ file, path: '', message: `expected one YAML document holding the experiment, found ${docs.length}` }]);
  }
  return docs[0].doc;
}

/** Manifest paths are relative to the experiment file's folder. */
export const manifestPaths = (experimentFile: string, manifests: readonly string[]): string[] =>
  manifests.map((m) => resolve(dirname(experimentFile), m));
