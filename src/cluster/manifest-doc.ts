// One YAML document of a manifest file, already parsed: the hand-off between the reader in
// io/ and the decoder here, so the cluster model never sees files.

export interface ManifestDoc {
  readonly file: string;
  /** 0-based position of the document in its file (`---` separated). */
  readonly index: number;
  readonly doc: unknown;
}
