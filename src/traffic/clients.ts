// External clients: each has its own IP and at most one keep-alive connection it reuses while
// the connection is idle and has requests left. Held in typed arrays: a million clients fit.

/** External clients' addresses start at 100.64.0.1 (RFC 6598 space, clear of cluster CIDRs). */
export const CLIENT_IP_BASE = (100 << 24) + (64 << 16) + 1;

// Each client's connection lives in one 32-byte row of integers and one 16-byte row of doubles,
// so a request touches two cache lines of client state, not one per field: with a million
// clients nearly every request's client is a cache miss.
const NODE = 0;
const POD = 1;
const ENDPOINT = 2;
const TABLE = 3;
const EPOCH = 4;
const LEFT = 5;
const BUSY = 6;
const MASQUERADED = 7;
const INTS = 8;
const ID = 0;
const TRACK = 1;
const DOUBLES = 2;

export class Clients {
  private readonly ints: Int32Array;
  private readonly doubles: Float64Array;
  private nextConn = 1;

  constructor(
    readonly count: number,
    private readonly requestsPerConnection: number,
    /** The first address of each client block (client-addresses.ts); client c takes block c mod k. */
    private readonly bases: readonly number[] = [CLIENT_IP_BASE],
  ) {
    this.ints = new Int32Array(count * INTS);
    this.doubles = new Float64Array(count * DOUBLES);
    for (let c = 0; c < count; c++) {
      this.ints[c * INTS + NODE] = -1;
      this.ints[c * INTS + POD] = -1;
      this.ints[c * INTS + ENDPOINT] = -1;
      this.doubles[c * DOUBLES + TRACK] = -1;
    }
  }

  ip(client: number): number {
    const bases = this.bases;
    return bases.length === 1 ? bases[0] + client : bases[client % bases.length] + Math.floor(client / bases.length);
  }

  /** The client's current connection: the ingress node and the pod conntrack pins it to. */
  node(client: number): number {
    return this.ints[client * INTS + NODE];
  }
  pod(client: number): number {
    return this.ints[client * INTS + POD];
  }
  /** The endpoint index the ingress node's proxy chose for the connection. */
  endpoint(client: number): number {
    return this.ints[client * INTS + ENDPOINT];
  }
  /** 1 when the proxy SNATed the connection to the node's IP. */
  masqueraded(client: number): number {
    return this.ints[client * INTS + MASQUERADED] & 1;
  }
  /** 1 when the backend's node replies to the client directly (eBPF DSR); kept in MASQUERADED's second bit. */
  directReply(client: number): number {
    return (this.ints[client * INTS + MASQUERADED] >> 1) & 1;
  }
  /** The connection's ephemeral source port: Linux's ip_local_port_range 32768–60999, in turn per connection. */
  static sourcePort(conn: number): number {
    return 32_768 + (conn % 28_232);
  }
  /** The ingress node's conntrack handle for the connection. */
  conntrackHandle(client: number): number {
    return this.doubles[client * DOUBLES + TRACK];
  }
  /** Which of the node's tables chose the endpoint (IPVS releases the connection against it). */
  tableVersion(client: number): number {
    return this.ints[client * INTS + TABLE];
  }
  /** The pod's incarnation the connection was made to: a restarted container has lost it. */
  incarnation(client: number): number {
    return this.ints[client * INTS + EPOCH];
  }

  /** An idle connection with requests left: the request rides it (a conntrack hit, no rule walk). */
  reuse(client: number): number {
    const row = client * INTS;
    // LEFT: requests the connection may still carry after the one it carries now.
    if (this.ints[row + BUSY] === 1 || this.ints[row + LEFT] <= 0 || this.ints[row + POD] < 0) return 0;
    this.ints[row + LEFT]--;
    this.ints[row + BUSY] = 1;
    return this.doubles[client * DOUBLES + ID];
  }

  /**
   * The server closed the client's idle keep-alive connection; returns false when there was none
   * (no connection, one carrying a request, or one already closed). Its pin stays readable.
   */
  closeIdle(client: number): boolean {
    const row = client * INTS;
    if (this.ints[row + BUSY] === 1 || this.ints[row + LEFT] <= 0 || this.ints[row + POD] < 0) return false;
    this.ints[row + LEFT] = 0;
    return true;
  }

  /** Opens a new connection for a request; the client's earlier one closes after its request. */
  open(client: number, node: number): number {
    const id = this.nextConn++;
    const row = client * INTS;
    this.doubles[client * DOUBLES + ID] = id;
    this.ints[row + NODE] = node;
    this.ints[row + POD] = -1;
    this.ints[row + LEFT] = this.requestsPerConnection - 1;
    this.ints[row + BUSY] = 1;
    return id;
  }

  /** The proxy pinned the connection to a pod (DNAT recorded in conntrack). */
  pin(client: number, conn: number, pod: number, endpoint: number, masqueraded: boolean, conntrackHandle: number, tableVersion: number, incarnation: number, directReply = false): void {
    // The ID tells the current connection apart, so a reply on an older one changes nothing.
    if (this.doubles[client * DOUBLES + ID] !== conn) return;
    const row = client * INTS;
    this.doubles[client * DOUBLES + TRACK] = conntrackHandle;
    this.ints[row + TABLE] = tableVersion;
    this.ints[row + EPOCH] = incarnation;
    this.ints[row + POD] = pod;
    this.ints[row + ENDPOINT] = endpoint;
    this.ints[row + MASQUERADED] = (masqueraded ? 1 : 0) | (directReply ? 2 : 0);
  }

  /** The balancer moved the connection to another node, whose data path now holds it. */
  move(client: number, node: number, endpoint: number, masqueraded: boolean, conntrackHandle: number, tableVersion: number, directReply: boolean): void {
    const row = client * INTS;
    this.ints[row + NODE] = node;
    this.ints[row + ENDPOINT] = endpoint;
    this.ints[row + TABLE] = tableVersion;
    this.ints[row + MASQUERADED] = (masqueraded ? 1 : 0) | (directReply ? 2 : 0);
    this.doubles[client * DOUBLES + TRACK] = conntrackHandle;
  }

  /**
   * A request on `conn` ended; `reusable` false closes the connection (failures, timeouts).
   * Returns true when the connection is closed now: superseded, failed or used up.
   */
  done(client: number, conn: number, reusable: boolean): boolean {
    if (this.doubles[client * DOUBLES + ID] !== conn) return true;
    const row = client * INTS;
    this.ints[row + BUSY] = 0;
    if (!reusable) this.ints[row + LEFT] = 0;
    return this.ints[row + LEFT] <= 0;
  }
}
