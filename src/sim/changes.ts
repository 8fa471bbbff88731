// Changes over time (the experiment's `events`) turned, before the run starts, into every pod
// the run will ever have and a time-ordered list of pod state changes. Pure: no events scheduled.

import type { Cluster, Pod } from '../cluster/model.js';
import { s } from '../engine/time.js';
import { InputError } from '../input/problems.js';
import { DEFAULT_MAX_SURGE, DEFAULT_MAX_UNAVAILABLE, type IntOrPercent, resolveFenceposts, rolloutWaves } from './rollout.js';

export type ClusterEvent =
  /** The pod's container dies (a crash); the kubelet restarts it after a back-off and it is ready again. */
  | { readonly atS: number; readonly action: 'kill-pod'; readonly pod: string; readonly restartAfterS?: number }
  /**
   * The pod is deleted: it terminates gracefully (see `deletePod`); its ReplicaSet, if a
   * Deployment owns it, creates a replacement at once (a terminating pod no longer counts).
   */
  | { readonly atS: number; readonly action: 'delete-pod'; readonly pod: string }
  /** The Deployment's replica count changes: new pods start (ready after `readyAfterS`), surplus ones terminate gracefully. */
  | { readonly atS: number; readonly action: 'scale'; readonly deployment: string; readonly replicas: number }
  /**
   * Every pod is replaced by a new one (new name and IP) as the Deployment's RollingUpdate paces it
   * (rollout.ts), the old ones terminating gracefully.
   */
  | {
      readonly atS: number;
      readonly action: 'rolling-restart';
      readonly deployment: string;
      readonly maxSurge?: IntOrPercent;
      readonly maxUnavailable?: IntOrPercent;
    }
  /** The node goes down with its pods; its endpoints turn not-ready only when the node controller notices. */
  | { readonly atS: number; readonly action: 'fail-node'; readonly node: string }
  /**
   * The load balancer withdraws the node (an ECMP next hop removed, or a re-hash): new connections
   * go to the other nodes, and so does every later packet of the node's open connections, mid-stream.
   * The node stays up.
   */
  | { readonly atS: number; readonly action: 'withdraw-node'; readonly node: string }
  /** The pod's readiness probe fails and recovers `count` times, every `periodS`; the pod keeps running. */
  | { readonly atS: number; readonly action: 'flap-readiness'; readonly pod: string; readonly periodS?: number; readonly count?: number };

export const EVENT_ACTIONS = ['kill-pod', 'delete-pod', 'scale', 'rolling-restart', 'fail-node', 'withdraw-node', 'flap-readiness'] as const;

export interface ChangeTiming {
  /** Container start to readiness probe success (initialDelaySeconds + a probe period). */
  readonly readyAfterS: number;
  /** The kubelet's first crash back-off (10 s, doubling up to 5 min). */
  readonly restartAfterS: number;
  /** node-monitor-grace-period: how long the node controller waits before marking a silent node NotReady. */
  readonly nodeMonitorGraceS: number;
  /** spec.terminationGracePeriodSeconds: deletion to SIGKILL. */
  readonly terminationGracePeriodS: number;
  /** A preStop `sleep` hook: deletion to SIGTERM, the app still listening (0: no hook). */
  readonly preStopSleepS: number;
  /** The app's own drain: SIGTERM to exit, serving the connections it has and accepting no new one. */
  readonly drainS: number;
}

export const DEFAULT_CHANGE_TIMING: ChangeTiming = {
  readyAfterS: 2,
  restartAfterS: 10,
  // kube-controller-manager --node-monitor-grace-period default: 50 s since 1.32
  // (kubernetes#126287, fixing #121793), 40 s before.
  nodeMonitorGraceS: 50,
  // The Pod spec's terminationGracePeriodSeconds default.
  terminationGracePeriodS: 30,
  // No preStop hook and an app that exits on SIGTERM: Kubernetes' defaults, not a graceful app.
  preStopSleepS: 0,
  drainS: 0,
};

/**
 * A state change of one pod at one time. `alive`: its container runs and serves the connections
 * it has; `listening`: it accepts new ones; `ready`: its readiness condition; `terminating`: it
 * is being deleted (EndpointSlices list it ready: false, serving: `ready`, terminating: true).
 */
export interface PodChange {
  readonly atNs: number;
  readonly pod: number;
  readonly alive?: boolean;
  readonly listening?: boolean;
  readonly ready?: boolean;
  readonly terminating?: boolean;
}

export interface NodeChange {
  readonly atNs: number;
  readonly node: number;
  readonly up: boolean;
  /** The balancer stops sending to the node (withdraw-node); `up` stays true. */
  readonly withdrawn?: boolean;
}

export interface ChangePlan {
  /** Every pod of the run: the cluster's first, then those the events create. */
  readonly pods: readonly Pod[];
  /** Initial state per pod (created pods start not alive and not ready). */
  readonly initiallyAlive: readonly boolean[];
  readonly podChanges: readonly PodChange[];
  readonly nodeChanges: readonly NodeChange[];
}


/** Problems an event list has against this cluster (unknown pods, nodes, deployments). */
export function checkEventTargets(cluster: Cluster, events: readonly ClusterEvent[]): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const pods = new Set(cluster.pods.map((p) => p.name));
  const nodes = new Set(cluster.nodes.map((n) => n.name));
  const deployments = new Set(cluster.deployments.map((d) => d.name));
  const list = (names: Set<string>) => [...names].slice(0, 8).join(', ') + (names.size > 8 ? ', …' : '');
  events.forEach((e, i) => {
    if ((e.action === 'kill-pod' || e.action === 'delete-pod' || e.action === 'flap-readiness') && !pods.has(e.pod)) {
      issues.push({ path: `events[${i}].pod`, message: `got "${e.pod}", expected one of the cluster's pods: ${list(pods)}` });
    }
    if ((e.action === 'scale' || e.action === 'rolling-restart') && !deployments.has(e.deployment)) {
      issues.push({ path: `events[${i}].deployment`, message: `got "${e.deployment}", expected one of the Deployments: ${list(deployments) || 'none'}` });
    }
    if ((e.action === 'fail-node' || e.action === 'withdraw-node') && !nodes.has(e.node)) {
      issues.push({ path: `events[${i}].node`, message: `got "${e.node}", expected one of the nodes: ${list(nodes)}` });
    }
  });
  return issues;
}

export function planChanges(cluster: Cluster, events: readonly ClusterEvent[], timing: ChangeTiming = DEFAULT_CHANGE_TIMING): ChangePlan {
  const planner = new ChangePlanner(cluster, timing);
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.atS - b.e.atS || a.i - b.i);
  for (const { e, i } of ordered) {
    try {
      planner.apply(e);
    } catch (error) {
      // The pods an event creates need addresses: a node's /24 holds 253 (the generator's layout).
      if (error instanceof PodRangeFull) throw new InputError([{ path: `events[${i}]`, message: `${error.message}: the event creates more pods than the node's pod range holds` }]);
      throw error;
    }
  }
  return planner.plan();
}

/** A node's pod range has no address left for a pod an event creates. */
class PodRangeFull extends Error {}

/** Stable by time: changes at the same instant keep the order the events produced them in. */
const byTime = <T extends { atNs: number }>(list: readonly T[]): T[] =>
  list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => a.c.atNs - b.c.atNs || a.i - b.i)
    .map((x) => x.c);

/** Every pod the run will have and what happens to each, built event by event in time order. */
class ChangePlanner {
  private readonly pods: Pod[];
  private readonly initiallyAlive: boolean[];
  private readonly podChanges: PodChange[] = [];
  private readonly nodeChanges: NodeChange[] = [];
  private readonly nodeIndex: ReadonlyMap<string, number>;
  private readonly usedIps: Set<string>;
  /** Live replicas per Deployment, in creation order; new pods go to the node with the fewest. */
  private readonly replicas = new Map<string, number[]>();
  private serial = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly timing: ChangeTiming,
  ) {
    this.pods = [...cluster.pods];
    this.initiallyAlive = this.pods.map(() => true);
    this.nodeIndex = new Map(cluster.nodes.map((n, i) => [n.name, i]));
    this.usedIps = new Set(this.pods.map((p) => p.ip));
    this.pods.forEach((p, i) => {
      if (p.owner !== undefined) this.replicas.set(p.owner, [...(this.replicas.get(p.owner) ?? []), i]);
    });
  }

  plan(): ChangePlan {
    return { pods: this.pods, initiallyAlive: this.initiallyAlive, podChanges: byTime(this.podChanges), nodeChanges: byTime(this.nodeChanges) };
  }

  apply(e: ClusterEvent): void {
    const at = s(e.atS);
    switch (e.action) {
      case 'kill-pod': {
        const p = this.podIndex(e.pod);
        this.stopPod(p, at);
        const back = at + s(e.restartAfterS ?? this.timing.restartAfterS);
        this.podChanges.push({ atNs: back, pod: p, alive: true });
        this.podChanges.push({ atNs: back + s(this.timing.readyAfterS), pod: p, ready: true });
        return;
      }
      case 'delete-pod': {
        const p = this.podIndex(e.pod);
        this.deletePod(p, at);
        for (const [deployment, members] of this.replicas) {
          if (!members.includes(p)) continue;
          this.replicas.set(deployment, members.filter((m) => m !== p));
          this.createPod(deployment, at);
        }
        return;
      }
      case 'scale':
        return this.scale(e.deployment, e.replicas, at);
      case 'rolling-restart':
        return this.rollingRestart(e.deployment, at, e.maxSurge ?? DEFAULT_MAX_SURGE, e.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE);
      case 'fail-node': {
        this.nodeChanges.push({ atNs: at, node: this.nodeIndex.get(e.node) as number, up: false });
        this.pods.forEach((p, i) => {
          if (p.nodeName !== e.node) return;
          this.podChanges.push({ atNs: at, pod: i, alive: false });
          this.podChanges.push({ atNs: at + s(this.timing.nodeMonitorGraceS), pod: i, ready: false });
        });
        return;
      }
      case 'withdraw-node':
        this.nodeChanges.push({ atNs: at, node: this.nodeIndex.get(e.node) as number, up: true, withdrawn: true });
        return;
      case 'flap-readiness': {
        const p = this.podIndex(e.pod);
        const period = s(e.periodS ?? 5);
        for (let k = 0; k < (e.count ?? 1); k++) {
          this.podChanges.push({ atNs: at + 2 * k * period, pod: p, ready: false });
          this.podChanges.push({ atNs: at + (2 * k + 1) * period, pod: p, ready: true });
        }
        return;
      }
    }
  }

  private scale(deployment: string, replicas: number, at: number): void {
    const members = this.replicas.get(deployment) ?? [];
    if (replicas > members.length) {
      for (let k = members.length; k < replicas; k++) this.createPod(deployment, at);
      return;
    }
    // The ReplicaSet controller deletes the newest pods first.
    for (const p of members.slice(replicas)) this.deletePod(p, at);
    this.replicas.set(deployment, members.slice(0, replicas));
  }

  /** The old pods are replaced wave by wave (rollout.ts); the newest old pods are deleted first. */
  private rollingRestart(deployment: string, at: number, maxSurge: IntOrPercent, maxUnavailable: IntOrPercent): void {
    const old = [...(this.replicas.get(deployment) ?? [])];
    const { surge, unavailable } = resolveFenceposts(maxSurge, maxUnavailable, old.length);
    const waitNs = s(this.timing.readyAfterS);
    let next = old.length;
    for (const w of rolloutWaves(old.length, surge, unavailable)) {
      const t = at + w.wave * waitNs;
      for (let k = 0; k < w.create; k++) this.createPod(deployment, t);
      for (let k = 0; k < w.remove; k++) this.deletePod(old[--next], t);
    }
    this.replicas.set(deployment, (this.replicas.get(deployment) ?? []).filter((p) => !old.includes(p)));
  }

  private podIndex(name: string): number {
    return this.pods.findIndex((p) => p.name === name);
  }

  /** A pod IP for a new pod: the next free host in the node's /24 (the generator's layout). */
  private newIp(node: number): string {
    const subnet = this.pods.find((p) => this.nodeIndex.get(p.nodeName) === node)?.ip.split('.').slice(0, 3).join('.') ?? `10.244.${node}`;
    for (let host = 2; host < 255; host++) {
      const ip = `${subnet}.${host}`;
      if (!this.usedIps.has(ip)) {
        this.usedIps.add(ip);
        return ip;
      }
    }
    throw new PodRangeFull(`no free pod IP left in ${subnet}.0/24`);
  }

  private createPod(deployment: string, atNs: number): number {
    const members = this.replicas.get(deployment) ?? [];
    const template = this.pods[members[0]] ?? this.pods.find((p) => p.owner === deployment);
    if (!template) throw new Error(`deployment ${deployment} has no pod to copy`);
    const perNode = this.cluster.nodes.map((_, n) => members.filter((m) => this.nodeIndex.get(this.pods[m].nodeName) === n).length);
    const node = perNode.indexOf(Math.min(...perNode));
    const pod: Pod = { ...template, name: `${deployment}-new-${this.serial++}`, nodeName: this.cluster.nodes[node].name, ip: this.newIp(node), ready: false };
    this.pods.push(pod);
    this.initiallyAlive.push(false);
    const index = this.pods.length - 1;
    this.podChanges.push({ atNs, pod: index, alive: true });
    this.podChanges.push({ atNs: atNs + s(this.timing.readyAfterS), pod: index, ready: true });
    this.replicas.set(deployment, [...members, index]);
    return index;
  }

  /** The container dies at once (a crash): nothing drains. */
  private stopPod(pod: number, atNs: number): void {
    this.podChanges.push({ atNs, pod, alive: false, listening: false, ready: false });
  }

  /**
   * Graceful deletion: the endpoint turns terminating at once (ready: false, serving: true); the
   * kubelet runs the preStop hook, then sends SIGTERM, when the app stops accepting connections
   * and fails its readiness (serving: false); it exits after its drain, or at SIGKILL when
   * terminationGracePeriodSeconds runs out first.
   */
  private deletePod(pod: number, atNs: number): void {
    const { preStopSleepS, drainS, terminationGracePeriodS } = this.timing;
    this.podChanges.push({ atNs, pod, terminating: true });
    this.podChanges.push({ atNs: atNs + s(Math.min(preStopSleepS, terminationGracePeriodS)), pod, listening: false, ready: false });
    this.podChanges.push({ atNs: atNs + s(Math.min(preStopSleepS + drainS, terminationGracePeriodS)), pod, alive: false });
  }
}
