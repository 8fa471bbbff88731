// Reads an experiment file (one YAML document) and the manifests it names, relative to it.

import { dirname, resolve } from 'node:path';
import { InputError } from '../input/problems.js';
import { DEFAULT_MAX_INPUT_BYTES, readInputText } from './read-input.js';
import { parseManifestText } from './read-manifests.js';

export function readExperimentFile(file: string, maxBytes: number = DEFAULT_MAX_INPUT_BYTES): unknown {
  return readExperimentSource(file, maxBytes).doc;
}

/** The experiment file's document and its text (for the lines of keys in messages): a regular file or `-` (stdin), at most `maxBytes`. */
export function readExperimentSource(file: string, maxBytes: number = DEFAULT_MAX_INPUT_BYTES): { doc: unknown; text: string } {
  const text = readInputText(file, maxBytes);
  const docs = parseManifestText(file, text);
  if (docs.length !== 1) {
    throw new InputError([{ file, path: '', message: `expected one YAML document holding the experiment, found ${docs.length}` }]);
  }
  return { doc: docs[0].doc, text };
}

/** Manifest paths are relative to the experiment file's folder. */
export const manifestPaths = (experimentFile: string, manifests: readonly string[]): string[] =>
  manifests.map((m) => resolve(dirname(experimentFile), m));
