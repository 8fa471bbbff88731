// External clients: each has its own IP and at most one keep-alive connection it reuses while
// the connection is idle and has requests left. Held in typed arrays: a million clients fit.

/** External clients' addresses start at 100.64.0.1 (RFC 6598 space, clear of cluster CIDRs). */
export const CLIENT_IP_BASE = (100 << 24) + (64 << 16) + 1;

export class Clients {
  /** The client's current connection: the ingress node and the pod conntrack pins it to. */
  readonly connNode: Int32Array;
  readonly connPod: Int32Array;
  /** The endpoint index the ingress node's proxy chose for the connection. */
  readonly connEndpoint: Int32Array;
  /** 1 when the proxy SNATed the connection to the node's IP. */
  readonly connMasqueraded: Uint8Array;
  /** The ingress node's conntrack handle for the connection. */
  readonly connTrack: Float64Array;
  /** Which of the node's tables chose the endpoint (IPVS releases the connection against it). */
  readonly connTable: Int32Array;
  /** The pod's incarnation the connection was made to: a restarted container has lost it. */
  readonly connEpoch: Int32Array;
  /** Requests the connection may still carry after the one it carries now. */
  private readonly connLeft: Int32Array;
  private readonly connBusy: Uint8Array;
  /** Identifies the connection, so a reply on an older one does not free the current one. */
  private readonly connId: Float64Array;
  private nextConn = 1;

  constructor(
    readonly count: number,
    private readonly requestsPerConnection: number,
  ) {
    this.connNode = new Int32Array(count).fill(-1);
    this.connPod = new Int32Array(count).fill(-1);
    this.connEndpoint = new Int32Array(count).fill(-1);
    this.connMasqueraded = new Uint8Array(count);
    this.connTrack = new Float64Array(count).fill(-1);
    this.connTable = new Int32Array(count);
    this.connEpoch = new Int32Array(count);
    this.connLeft = new Int32Array(count);
    this.connBusy = new Uint8Array(count);
    this.connId = new Float64Array(count);
  }

  ip(client: number): number {
    return CLIENT_IP_BASE + client;
  }

  /** An idle connection with requests left: the request rides it (a conntrack hit, no rule walk). */
  reuse(client: number): number {
    if (this.connBusy[client] === 1 || this.connLeft[client] <= 0 || this.connPod[client] < 0) return 0;
    this.connLeft[client]--;
    this.connBusy[client] = 1;
    return this.connId[client];
  }

  /** Opens a new connection for a request; the client's earlier one closes after its request. */
  open(client: number, node: number): number {
    const id = this.nextConn++;
    this.connId[client] = id;
    this.connNode[client] = node;
    this.connPod[client] = -1;
    this.connLeft[client] = this.requestsPerConnection - 1;
    this.connBusy[client] = 1;
    return id;
  }

  /** The proxy pinned the connection to a pod (DNAT recorded in conntrack). */
  pin(client: number, conn: number, pod: number, endpoint: number, masqueraded: boolean, track: number, table: number, epoch: number): void {
    if (this.connId[client] !== conn) return;
    this.connTrack[client] = track;
    this.connTable[client] = table;
    this.connEpoch[client] = epoch;
    this.connPod[client] = pod;
    this.connEndpoint[client] = endpoint;
    this.connMasqueraded[client] = masqueraded ? 1 : 0;
  }

  /**
   * A request on `conn` ended; `reusable` false closes the connection (failures, timeouts).
   * Returns true when the connection is closed now: superseded, failed or used up.
   */
  done(client: number, conn: number, reusable: boolean): boolean {
    if (this.connId[client] !== conn) return true;
    this.connBusy[client] = 0;
    if (!reusable) this.connLeft[client] = 0;
    return this.connLeft[client] <= 0;
  }
}
