// Named random streams: a stream's state is a function of (seed, replication, name) only, so a
// new consumer shifts no one else's numbers and every sweep point of a replication sees the same
// draws (common random numbers). Alea keeps its state in object fields, so a draw allocates nothing.

import seedrandom from 'seedrandom';

/** A uniform source on [0, 1). */
export type Uniform = () => number;

export class RandomStreams {
  constructor(
    readonly seed: number,
    readonly replication: number,
  ) {}

  stream(name: string): Uniform {
    return seedrandom.alea(`nodeport-sim|${this.seed}|${this.replication}|${name}`);
  }
}
