// The check `diagnose` adds for an experiment whose nodes sit behind a firewall: how many of its
// clients the firewall lets reach the port they call. The tutorial's Scenario 2 ("works from
// inside the cluster, times out from outside") is this finding. Pure arithmetic on address
// ranges: the clients of each block are a run of consecutive addresses, so the count is exact
// for a million clients without visiting them.

import { type Cidr, formatIPv4 } from '../net/ipv4.js';
import type { Finding } from './diagnose.js';

export interface FirewallReach {
  /** What the clients call: `nodePort 30080` or `192.0.2.100:80`. */
  readonly destination: string;
  readonly port: number;
  /** The nodes the firewall guards. */
  readonly nodes: readonly string[];
  /** The sources allowed to `port`; null when no rule lists it (open). */
  readonly allowed: readonly Cidr[] | null;
  /** Each client block's addresses in use: [first, count]. */
  readonly clientRuns: readonly (readonly [number, number])[];
}

/** Addresses of [first, first + count) inside the union of `cidrs`. */
function coveredCount(first: number, count: number, cidrs: readonly Cidr[]): number {
  const spans = cidrs.map((c) => [c.base, c.base + c.size] as const).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = first;
  const end = first + count;
  for (const [lo, hi] of spans) {
    const from = Math.max(lo, reach);
    const to = Math.min(hi, end);
    if (to > from) {
      covered += to - from;
      reach = to;
    }
  }
  return covered;
}

/** A warning when some clients' SYNs to the destination are dropped by the firewall; none otherwise. */
export function firewallFindings(r: FirewallReach): Finding[] {
  if (r.allowed === null || r.nodes.length === 0) return [];
  let clients = 0;
  let blocked = 0;
  for (const [first, count] of r.clientRuns) {
    clients += count;
    blocked += count - coveredCount(first, count, r.allowed);
  }
  if (blocked === 0) return [];
  const allowed = r.allowed.length === 0 ? 'no source' : r.allowed.map((c) => c.text).join(', ');
  const blocks = r.clientRuns.map(([first, count]) => `${formatIPv4(first)}+${count}`).join(', ');
  return [
    {
      severity: 'warning',
      object: `Node ${r.nodes.join(', ')}`,
      message: `the firewall allows only ${allowed} to port ${r.port}, so ${blocked} of ${clients} clients (${blocks}) cannot reach ${r.destination}: their SYNs are dropped silently and they time out (blocked_by_firewall)`,
      fix: `allow the clients' addresses to port ${r.port} (nodes.firewall.allow: {cidr: <their block>, ports: "${r.port}"}), as a security group or host firewall rule`,
    },
  ];
}
