// What a run of an experiment produces: tidy rows per table, with their column lists. The
// runner makes them; summaries, gates, shards, the writers and the report read them.

export type Cell = string | number;
export type Row = Readonly<Record<string, Cell>>;

export interface ExperimentResults {
  /** The swept dotted paths, in the sweep's order. */
  readonly params: readonly string[];
  readonly runColumns: readonly string[];
  readonly runs: readonly Row[];
  readonly podColumns: readonly string[];
  readonly pods: readonly Row[];
  readonly nodeColumns: readonly string[];
  readonly nodes: readonly Row[];
  readonly timeseriesColumns: readonly string[];
  readonly timeseries: readonly Row[];
  readonly notes: readonly string[];
}
