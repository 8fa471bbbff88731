// One-way delays on the request's path, each hop kind drawn from its own named stream: client →
// node, node → node (same zone or across zones), node → its pod. Rounded to integer ns.

import type { Node } from '../cluster/model.js';
import type { Distribution } from '../engine/distributions.js';
import type { RandomStreams } from '../engine/random.js';
import { durationNs } from '../traffic/duration.js';
import type { SimConfig } from './config.js';

export class Network {
  private readonly clientNode: Distribution;
  private readonly nodeNode: Distribution;
  private readonly nodeNodeCrossZone: Distribution;
  private readonly nodePod: Distribution;
  /** Per node, an index of its zone: equal indexes, same zone. */
  private readonly zone: Int32Array;

  constructor(cfg: SimConfig['network'], nodes: readonly Node[], streams: RandomStreams) {
    this.clientNode = durationNs(cfg.clientToNodeMs, streams.stream('net.client-node'));
    this.nodeNode = durationNs(cfg.nodeToNodeMs, streams.stream('net.node-node'));
    this.nodeNodeCrossZone = durationNs(cfg.nodeToNodeCrossZoneMs, streams.stream('net.node-node-cross-zone'));
    this.nodePod = durationNs(cfg.nodeToPodMs, streams.stream('net.node-pod'));
    const zones = [...new Set(nodes.map((n) => n.zone))];
    this.zone = Int32Array.from(nodes.map((n) => zones.indexOf(n.zone)));
  }

  clientToNode(): number {
    return Math.round(this.clientNode.sample());
  }

  nodeToPod(): number {
    return Math.round(this.nodePod.sample());
  }

  /** Between two different nodes: the cross-zone delay when their zones differ. */
  nodeToNode(a: number, b: number): number {
    return Math.round((this.zone[a] === this.zone[b] ? this.nodeNode : this.nodeNodeCrossZone).sample());
  }
}
