// How an external client reaches a node: the choice a load balancer (or a user typing one
// node's IP, as on minikube) makes for each new connection.

import type { Uniform } from '../engine/random.js';

export type IngressKind = 'single' | 'random' | 'round-robin' | 'health-checked';
export const INGRESS_KINDS: readonly IngressKind[] = ['single', 'random', 'round-robin', 'health-checked'];

export class Ingress {
  private cursor = 0;
  /** 1 where the balancer sends traffic to the node; health checks clear and set it. */
  readonly inService: Uint8Array;

  constructor(
    readonly kind: IngressKind,
    private readonly nodes: number,
    private readonly random: Uniform,
  ) {
    this.inService = new Uint8Array(nodes).fill(1);
  }

  /** The node for a new connection, or -1 when the balancer has no node in service. */
  pick(): number {
    switch (this.kind) {
      case 'single':
        return 0;
      case 'random':
        return Math.floor(this.random() * this.nodes);
      case 'round-robin':
        return this.cursor++ % this.nodes;
      case 'health-checked':
        // Round-robin over the nodes that pass their health checks (HAProxy's default).
        for (let tries = 0; tries < this.nodes; tries++) {
          const n = this.cursor++ % this.nodes;
          if (this.inService[n] === 1) return n;
        }
        return -1;
    }
  }
}
