// Multi-server FIFO stations (a pod's workers, a node's softirq cores) for many jobs at once,
// in typed arrays: a station has `servers` workers and a bounded queue threaded through job ids.

import { growInt32 } from './typed-arrays.js';

export const Admission = { Started: 0, Queued: 1, Full: 2 } as const;
export type Admission = (typeof Admission)[keyof typeof Admission];

export class Stations {
  readonly busy: Int32Array;
  readonly queued: Int32Array;
  private readonly servers: Int32Array;
  private readonly queueLimit: Float64Array;
  private readonly head: Int32Array;
  private readonly tail: Int32Array;
  private next: Int32Array;

  constructor(servers: readonly number[], queueLimit: readonly number[], jobCapacity = 1024) {
    const n = servers.length;
    this.servers = Int32Array.from(servers);
    this.queueLimit = Float64Array.from(queueLimit);
    this.busy = new Int32Array(n);
    this.queued = new Int32Array(n);
    this.head = new Int32Array(n).fill(-1);
    this.tail = new Int32Array(n).fill(-1);
    this.next = new Int32Array(jobCapacity).fill(-1);
  }

  get count(): number {
    return this.servers.length;
  }

  /** A job arrives: it starts on a free server, waits in the queue, or is turned away. */
  arrive(station: number, job: number): Admission {
    if (this.busy[station] < this.servers[station]) {
      this.busy[station]++;
      return Admission.Started;
    }
    if (this.queued[station] >= this.queueLimit[station]) return Admission.Full;
    if (job >= this.next.length) this.growJobs(job);
    this.next[job] = -1;
    if (this.tail[station] < 0) this.head[station] = job;
    else this.next[this.tail[station]] = job;
    this.tail[station] = job;
    this.queued[station]++;
    return Admission.Queued;
  }

  /** A job leaves a server: returns the queued job that takes the server over, or -1. */
  depart(station: number): number {
    const job = this.head[station];
    if (job < 0) {
      this.busy[station]--;
      return -1;
    }
    this.head[station] = this.next[job];
    if (this.head[station] < 0) this.tail[station] = -1;
    this.queued[station]--;
    return job;
  }

  /** Empties a station (a pod that died): returns the jobs that were waiting, in order. */
  drain(station: number): number[] {
    const jobs: number[] = [];
    for (let j = this.head[station]; j >= 0; j = this.next[j]) jobs.push(j);
    this.head[station] = -1;
    this.tail[station] = -1;
    this.queued[station] = 0;
    this.busy[station] = 0;
    return jobs;
  }

  private growJobs(job: number): void {
    let cap = this.next.length;
    while (cap <= job) cap *= 2;
    this.next = growInt32(this.next, cap, -1);
  }
}
