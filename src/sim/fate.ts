// A request's fate at the ingress node: what the data path decided for its connection. A closed
// set in its own column of the request table, so `pod` only ever holds a pod.

import { Verdict } from '../proxy/types.js';

export const Fate = {
  /** The connection goes to a pod (DNAT, maybe a second hop). */
  Forward: 0,
  /** Local policy, no local endpoint: filter-table DROP; the client retransmits its SYN. */
  Drop: 1,
  /** No endpoints at all: REJECT, the client sees "connection refused". */
  Reject: 2,
  /** No rule for the port: the host answers RST. */
  NoService: 3,
  /** The table chose an endpoint the simulation runs no pod for (it is gone). */
  Stale: 4,
  /** Forwarded without SNAT to a remote pod whose reply bypasses this node (IPVS, Local). */
  ReplyLost: 5,
  /** The node's conntrack table is full: "nf_conntrack: table full, dropping packet". */
  ConntrackFull: 6,
  /**
   * Decided at the pod, not the node: nothing listens on the port the connection reached, so the
   * pod's kernel answers the SYN with a RST (tcp_v4_rcv finds no socket → tcp_v4_send_reset).
   */
  RefusedNoListener: 7,
  /** Load-balancer traffic from outside loadBalancerSourceRanges: dropped silently; the client retransmits its SYN. */
  SourceRangeDrop: 8,
} as const;
export type Fate = (typeof Fate)[keyof typeof Fate];

/** The fate of a connection the proxy did not hand an endpoint (a negative `connect` result). */
export function fateOfVerdict(verdict: number): Fate {
  switch (verdict) {
    case Verdict.Drop:
      return Fate.Drop;
    case Verdict.Reject:
      return Fate.Reject;
    case Verdict.NoService:
      return Fate.NoService;
    case Verdict.SourceRangeDrop:
      return Fate.SourceRangeDrop;
  }
  throw new Error(`fateOfVerdict: ${verdict} is not a Verdict`);
}
