// The load balancer in front of the nodes: it picks an ingress node for each new connection and,
// when it health-checks (HAProxy's fall/rise), probes every node on its interval. Under Local the
// probe asks the healthCheckNodePort, which answers 503 without a local endpoint (kube-proxy's
// health server counts what it last synced); under Cluster a TCP check of the nodePort passes
// while the node is up and has any endpoint. A withdrawn node (withdraw-node) gets no packet at
// all: its open connections' later packets go to the others.

import type { Uniform } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import { s } from '../engine/time.js';
import { type HealthCheckConfig, HealthChecks } from '../traffic/health-checks.js';
import { Ingress, type IngressKind } from '../traffic/ingress.js';
import type { Dataplane } from './dataplane.js';

export class Balancer {
  private readonly ingress: Ingress;
  private readonly checks: HealthChecks;
  private readonly PROBE: number;
  /** 1 for a node the balancer has withdrawn. */
  readonly withdrawn: Uint8Array;

  constructor(
    private readonly sim: Simulator,
    kind: IngressKind,
    private readonly healthCheck: HealthCheckConfig,
    private readonly nodes: number,
    random: Uniform,
    private readonly dataplane: Dataplane,
    /** The target's externalTrafficPolicy is Local. */
    private readonly local: boolean,
    private readonly endNs: number,
  ) {
    this.ingress = new Ingress(kind, nodes, random);
    this.checks = new HealthChecks(this.ingress.inService, healthCheck);
    this.PROBE = sim.register('healthCheck', () => this.probe());
    this.withdrawn = new Uint8Array(nodes);
  }

  /** The node for a new connection (or a moved one's next packet), or -1 when no node is in service. */
  pick(): number {
    let n = this.ingress.pick();
    // A withdrawn node's turn passes to the next pick.
    for (let tries = 1; n >= 0 && this.withdrawn[n] === 1; tries++) n = tries < this.nodes ? this.ingress.pick() : -1;
    return n;
  }

  withdraw(node: number): void {
    this.withdrawn[node] = 1;
  }

  /** The balancer has been probing since before the run: nodes that fail now start out of rotation. */
  start(): void {
    if (this.ingress.kind !== 'health-checked') return;
    for (let n = 0; n < this.nodes; n++) this.ingress.inService[n] = this.dataplane.healthy(n, this.local) ? 1 : 0;
    this.sim.schedule(s(this.healthCheck.intervalS), this.PROBE);
  }

  private probe(): void {
    for (let n = 0; n < this.nodes; n++) this.checks.probe(n, this.dataplane.healthy(n, this.local));
    if (this.sim.now < this.endNs) this.sim.schedule(s(this.healthCheck.intervalS), this.PROBE);
  }
}
