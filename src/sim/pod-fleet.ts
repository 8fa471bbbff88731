// The pods behind the target Service during a run: whether each is alive, listening, ready and
// terminating, its
// incarnation (bumped when its container dies, so a restarted pod holds no old connection or
// work), its FIFO station, and Little's law's two sides measured apart. The fleet admits and
// departs; it schedules nothing.

import type { Pod } from '../cluster/model.js';
import { Admission, Stations } from '../engine/station.js';
import type { PodResult } from './run-result.js';

export interface PodFleetConfig {
  readonly concurrency: number;
  readonly queueLimit: number;
  /** The measured window: Little's law is integrated inside it. */
  readonly warmupNs: number;
  readonly endNs: number;
}

export class PodFleet {
  /** This run's pod index → the node index it runs on (-1 for a node the cluster does not list). */
  readonly node: Int32Array;
  readonly alive: Uint8Array;
  /** Accepts new connections: alive and not draining (a terminating app stops listening at SIGTERM). */
  readonly listening: Uint8Array;
  readonly ready: Uint8Array;
  /** Being deleted gracefully: EndpointSlices list it as terminating. */
  readonly terminating: Uint8Array;
  readonly incarnation: Int32Array;
  /** 1 where the pod has a socket on the target's port; a connection to a 0 is refused (RST). */
  readonly listens: Uint8Array;
  private readonly byIp: Map<string, number>;
  private readonly stations: Stations;
  // Little's law per pod: the integral of the number in system over the window, and what left.
  private readonly inSystem: Int32Array;
  private readonly area: Float64Array;
  private readonly areaAt: Float64Array;
  private readonly done: Float64Array;
  private readonly timeSum: Float64Array;

  constructor(
    readonly pods: readonly Pod[],
    nodeIndex: ReadonlyMap<string, number>,
    initially: { readonly alive: readonly boolean[]; readonly ready: readonly boolean[]; readonly listens?: readonly boolean[] },
    private readonly cfg: PodFleetConfig,
  ) {
    const n = pods.length;
    this.node = Int32Array.from(pods.map((p) => nodeIndex.get(p.nodeName) ?? -1));
    this.alive = Uint8Array.from(initially.alive.map((a) => (a ? 1 : 0)));
    this.listening = Uint8Array.from(this.alive);
    this.ready = Uint8Array.from(initially.ready.map((r) => (r ? 1 : 0)));
    this.terminating = new Uint8Array(n);
    this.incarnation = new Int32Array(n);
    this.listens = initially.listens === undefined ? new Uint8Array(n).fill(1) : Uint8Array.from(initially.listens.map((l) => (l ? 1 : 0)));
    this.byIp = new Map(pods.map((p, i) => [p.ip, i]));
    this.stations = new Stations(
      pods.map(() => cfg.concurrency),
      pods.map(() => cfg.queueLimit),
    );
    this.inSystem = new Int32Array(n);
    this.area = new Float64Array(n);
    this.areaAt = new Float64Array(n).fill(cfg.warmupNs);
    this.done = new Float64Array(n);
    this.timeSum = new Float64Array(n);
  }

  get size(): number {
    return this.pods.length;
  }

  /** The pod with this IP, or -1 (an endpoint the run has no pod for). */
  indexOfIp(ip: string): number {
    return this.byIp.get(ip) ?? -1;
  }

  /** Request `job` joins the pod: it starts service, waits, or is turned away by a full queue. */
  admit(pod: number, job: number, nowNs: number): Admission {
    const admission = this.stations.arrive(pod, job);
    if (admission !== Admission.Full) this.changeInSystem(pod, 1, nowNs);
    return admission;
  }

  /**
   * A request left the pod after `timeInSystemNs` (queue and service); returns the next request
   * to start service, or -1.
   */
  depart(pod: number, nowNs: number, timeInSystemNs: number): number {
    this.changeInSystem(pod, -1, nowNs);
    if (nowNs >= this.cfg.warmupNs && nowNs <= this.cfg.endNs) {
      this.done[pod]++;
      this.timeSum[pod] += timeInSystemNs;
    }
    return this.stations.depart(pod);
  }

  /**
   * The pod's container dies: its incarnation moves on and the requests waiting in its queue are
   * returned to be failed; those in service find out when their service ends.
   */
  kill(pod: number, nowNs: number): number[] {
    this.alive[pod] = 0;
    this.listening[pod] = 0;
    this.incarnation[pod]++;
    this.changeInSystem(pod, -this.inSystem[pod], nowNs);
    return this.stations.drain(pod);
  }

  /** The pod's container is running again (as a new incarnation, since `kill`). */
  revive(pod: number): void {
    this.alive[pod] = 1;
    this.listening[pod] = 1;
  }

  /** The app closes its listening socket: new connections are refused, established ones go on. */
  stopListening(pod: number): void {
    this.listening[pod] = 0;
  }

  /** The pod's deletion began; returns whether that changed it. */
  setTerminating(pod: number): boolean {
    if (this.terminating[pod] === 1) return false;
    this.terminating[pod] = 1;
    return true;
  }

  /** Sets the pod's readiness; returns whether it changed. */
  setReady(pod: number, ready: boolean): boolean {
    const value = ready ? 1 : 0;
    if (this.ready[pod] === value) return false;
    this.ready[pod] = value;
    return true;
  }

  /** Little's law's sides and what each pod served, over a window of `windowNs`, the run over at `nowNs`. */
  results(requests: Float64Array, windowNs: number, nowNs: number): PodResult[] {
    for (let p = 0; p < this.pods.length; p++) this.changeInSystem(p, 0, nowNs);
    return this.pods.map((p, i) => ({
      pod: p.name,
      node: p.nodeName,
      requests: requests[i],
      meanInSystem: this.area[i] / windowNs,
      throughputPerS: this.done[i] / (windowNs / 1e9),
      meanTimeInSystemMs: this.done[i] > 0 ? this.timeSum[i] / this.done[i] / 1e6 : Number.NaN,
    }));
  }

  private changeInSystem(pod: number, by: number, nowNs: number): void {
    const now = nowNs < this.cfg.warmupNs ? this.cfg.warmupNs : nowNs > this.cfg.endNs ? this.cfg.endNs : nowNs;
    this.area[pod] += this.inSystem[pod] * (now - this.areaAt[pod]);
    this.areaAt[pod] = now;
    this.inSystem[pod] += by;
  }
}
