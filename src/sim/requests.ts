// Per-request state in parallel typed arrays with a free list: a request is an integer id, so
// the event loop carries it as an event argument and allocates nothing per request.

import { growFloat64, growInt32, growUint8 } from '../engine/typed-arrays.js';
import type { Fate } from './fate.js';

export class RequestTable {
  capacity = 0;
  client = new Int32Array(0);
  /** The client connection the request rides (see traffic/clients.ts). */
  conn = new Float64Array(0);
  /** The node the balancer sent the connection to, or -1 when it had none in service. */
  ingressNode = new Int32Array(0);
  /** What the ingress node's data path decided for the connection. */
  fate = new Uint8Array(0);
  /** The pod the connection goes to, or -1. */
  pod = new Int32Array(0);
  /** The endpoint index the proxy chose (in the ingress node's table) once conntrack holds it, or -1. */
  endpoint = new Int32Array(0);
  /** Time the client sent the request (its first SYN for a new connection). */
  sentAt = new Float64Array(0);
  /** Time the request joined its pod's queue. */
  queuedAt = new Float64Array(0);
  networkNs = new Float64Array(0);
  dataplaneNs = new Float64Array(0);
  podQueueNs = new Float64Array(0);
  serviceNs = new Float64Array(0);
  /** Modelled CPU cost of this request's pass through the node's data path. */
  cpuCostNs = new Float64Array(0);
  rulesWalked = new Int32Array(0);
  /** The ingress node's conntrack handle for the request's connection, or -1. */
  conntrackHandle = new Float64Array(0);
  /** Which version of the ingress node's table chose the connection's endpoint. */
  tableVersion = new Int32Array(0);
  /** The pod incarnation the connection was made to (a restarted container has lost it). */
  connIncarnation = new Int32Array(0);
  /** The pod's incarnation when the request joined it; a restarted pod does not finish old work. */
  podIncarnation = new Int32Array(0);
  /** 1 once the client gave up (timeout): the request's remaining events only clean up. */
  abandoned = new Uint8Array(0);
  /** Handle of the pending client timeout event, or -1. */
  timeoutHandle = new Float64Array(0);
  /** 1 while the id is allocated: catches a request that would end twice. */
  private inUse = new Uint8Array(0);
  /** Packets sent so far: SYNs for a new connection, data segments for an established one. */
  transmissions = new Int32Array(0);
  /** 1 when the proxy SNATed the connection to the node's IP. */
  masqueraded = new Uint8Array(0);
  /** 1 when the backend's node replies to the client directly, skipping the ingress node (eBPF DSR). */
  directReply = new Uint8Array(0);
  /** 1 when the request was sent inside the measurement window. */
  measured = new Uint8Array(0);
  /** 1 when this request opened a new connection (and so walked the rules). */
  newConnection = new Uint8Array(0);
  /** 1 while a request whose connection the balancer moved to another node has not yet been processed there. */
  moved = new Uint8Array(0);
  private free = new Int32Array(0);
  private freeCount = 0;
  private next = 0;
  live = 0;

  constructor(initial = 1024) {
    this.grow(initial);
  }

  alloc(): number {
    this.live++;
    const id = this.freeCount > 0 ? this.free[--this.freeCount] : this.fresh();
    this.inUse[id] = 1;
    return id;
  }

  private fresh(): number {
    if (this.next === this.capacity) this.grow(this.capacity * 2);
    return this.next++;
  }

  release(id: number): void {
    if (this.inUse[id] !== 1) throw new Error(`request ${id} released twice`);
    this.inUse[id] = 0;
    this.live--;
    this.free[this.freeCount++] = id;
  }

  private grow(capacity: number): void {
    const f64 = (a: Float64Array) => growFloat64(a, capacity);
    const i32 = (a: Int32Array) => growInt32(a, capacity);
    const u8 = (a: Uint8Array) => growUint8(a, capacity);
    this.client = i32(this.client);
    this.conn = f64(this.conn);
    this.ingressNode = i32(this.ingressNode);
    this.fate = u8(this.fate);
    this.pod = i32(this.pod);
    this.endpoint = i32(this.endpoint);
    this.sentAt = f64(this.sentAt);
    this.queuedAt = f64(this.queuedAt);
    this.networkNs = f64(this.networkNs);
    this.dataplaneNs = f64(this.dataplaneNs);
    this.podQueueNs = f64(this.podQueueNs);
    this.serviceNs = f64(this.serviceNs);
    this.cpuCostNs = f64(this.cpuCostNs);
    this.rulesWalked = i32(this.rulesWalked);
    this.podIncarnation = i32(this.podIncarnation);
    this.conntrackHandle = f64(this.conntrackHandle);
    this.tableVersion = i32(this.tableVersion);
    this.connIncarnation = i32(this.connIncarnation);
    this.abandoned = u8(this.abandoned);
    this.timeoutHandle = f64(this.timeoutHandle);
    this.inUse = u8(this.inUse);
    this.transmissions = i32(this.transmissions);
    this.masqueraded = u8(this.masqueraded);
    this.directReply = u8(this.directReply);
    this.measured = u8(this.measured);
    this.newConnection = u8(this.newConnection);
    this.moved = u8(this.moved);
    this.free = i32(this.free);
    this.capacity = capacity;
  }
}
