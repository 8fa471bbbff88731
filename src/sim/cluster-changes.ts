// The cluster changing during a run: the experiment's events, planned up front (changes.ts), are
// applied at their times — pods die, restart and turn ready or not, nodes fail — and every
// readiness change is published as the target's new endpoints, which reach each node's
// kube-proxy through its own watch delay and sync.

import type { Cluster, Pod, Service } from '../cluster/model.js';
import { selectorMatches } from '../cluster/selector.js';
import type { Simulator } from '../engine/simulator.js';
import { Outcome } from '../metrics/outcome.js';
import type { EndpointInfo, ServicePortInfo } from '../proxy/service-map.js';
import type { Balancer } from './balancer.js';
import type { ChangePlan } from './changes.js';
import type { Dataplane } from './dataplane.js';
import type { PodFleet } from './pod-fleet.js';
import type { RequestLifecycle } from './request-lifecycle.js';

/**
 * The planned pods that back the target: those behind its endpoints at the start, and those the
 * events create that its selector matches. Returns their indexes in the plan.
 */
export function podsBackingTarget(cluster: Cluster, plan: ChangePlan, target: ServicePortInfo, service: Service | undefined): number[] {
  const initialIps = new Set(target.endpoints.map((e) => e.ip));
  const backing: number[] = [];
  plan.pods.forEach((p: Pod, i) => {
    const created = i >= cluster.pods.length && service?.selector != null && p.namespace === service.namespace && selectorMatches(service.selector, p.labels);
    if (initialIps.has(p.ip) || created) backing.push(i);
  });
  return backing;
}

export class ClusterChanges {
  /** The plan's pod index → this run's pod index. */
  private readonly runPodOf: ReadonlyMap<number, number>;
  private readonly POD_CHANGE: number;
  private readonly NODE_CHANGE: number;

  constructor(
    private readonly sim: Simulator,
    private readonly plan: ChangePlan,
    /** The plan's indexes of the run's pods, in run order. */
    plannedPods: readonly number[],
    private readonly pods: PodFleet,
    private readonly dataplane: Dataplane,
    private readonly lifecycle: RequestLifecycle,
    /** The port every endpoint of the target serves on. */
    private readonly targetPort: number,
    private readonly balancer: Balancer,
    /** The EndpointSlice controller's zone hints for the target's endpoints (service-map.ts withControllerHints). */
    private readonly hints: (endpoints: EndpointInfo[]) => EndpointInfo[] = (endpoints) => endpoints,
  ) {
    this.runPodOf = new Map(plannedPods.map((planned, i) => [planned, i]));
    this.POD_CHANGE = sim.register('podChange', (i) => this.podChange(i));
    this.NODE_CHANGE = sim.register('nodeChange', (i) => this.nodeChange(i));
  }

  /** Schedules every planned change before `endNs` (later ones cannot affect the measured window). */
  schedule(endNs: number): void {
    this.plan.podChanges.forEach((c, i) => c.atNs < endNs && this.sim.scheduleAt(c.atNs, this.POD_CHANGE, i));
    this.plan.nodeChanges.forEach((c, i) => c.atNs < endNs && this.sim.scheduleAt(c.atNs, this.NODE_CHANGE, i));
  }

  private podChange(i: number): void {
    const c = this.plan.podChanges[i];
    const pod = this.runPodOf.get(c.pod) ?? -1;
    if (pod < 0) return;
    if (c.alive === false && this.pods.alive[pod] === 1) {
      // Queued requests die with the pod; those in service find out when their service ends.
      for (const r of this.pods.kill(pod, this.sim.now)) this.lifecycle.release(r, Outcome.FailedStaleEndpoint);
    }
    if (c.alive === true) this.pods.revive(pod);
    if (c.listening === false) this.pods.stopListening(pod);
    const terminated = c.terminating === true && this.pods.setTerminating(pod);
    const readiness = c.ready !== undefined && this.pods.setReady(pod, c.ready);
    if (terminated || readiness) this.publishEndpoints();
  }

  private nodeChange(i: number): void {
    const c = this.plan.nodeChanges[i];
    if (c.withdrawn === true) this.balancer.withdraw(c.node);
    else this.dataplane.up[c.node] = c.up ? 1 : 0;
  }

  /**
   * The EndpointSlice controller publishes the target's ready pods, and its terminating ones that
   * still pass their readiness probe as serving (ready: false), sorted as kube-proxy keys them.
   * Pods neither ready nor serving are left out: kube-proxy would skip them.
   */
  private publishEndpoints(): void {
    const endpoints: EndpointInfo[] = [];
    this.pods.pods.forEach((p, i) => {
      if (this.pods.ready[i] === 1) {
        const key = `${p.ip}:${this.targetPort}`;
        const terminating = this.pods.terminating[i] === 1;
        endpoints.push({ ip: p.ip, port: this.targetPort, nodeName: p.nodeName, ready: !terminating, serving: true, terminating, key });
      }
    });
    endpoints.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.dataplane.proxies.endpointsChanged(this.hints(endpoints));
  }
}
