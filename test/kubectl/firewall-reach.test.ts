// The firewall finding counts blocked clients from address arithmetic; checked here against a
// count made by visiting every client address (the definition) on small cases.

import { describe, expect, it } from 'vitest';
import { firewallFindings } from '../../src/kubectl/firewall-reach.js';
import { type Cidr, cidrContains, parseCidr } from '../../src/net/ipv4.js';

const cidr = (text: string): Cidr => {
  const c = parseCidr(text);
  if (c === undefined) throw new Error(text);
  return c;
};
const ip = (text: string): number => cidr(`${text}/32`).base;

/** The definition: visit each client address. */
function blockedByVisit(runs: readonly (readonly [number, number])[], allowed: readonly Cidr[]): number {
  let blocked = 0;
  for (const [first, count] of runs) for (let a = first; a < first + count; a++) if (!allowed.some((c) => cidrContains(c, a))) blocked++;
  return blocked;
}

const reach = (runs: (readonly [number, number])[], allowed: Cidr[] | null) => ({ destination: 'nodePort 30080', port: 30_080, nodes: ['node-1', 'node-2'], allowed, clientRuns: runs });

describe('the firewall finding', () => {
  it('names how many clients a firewall allowing only 10.0.0.0/8 blocks (the tutorial\'s Scenario 2)', () => {
    const runs = [[ip('10.30.0.1'), 300] as const, [ip('100.64.0.1'), 300] as const];
    const [f] = firewallFindings(reach(runs, [cidr('10.0.0.0/8')]));
    expect(f.severity).toBe('warning');
    expect(f.message).toContain(`${blockedByVisit(runs, [cidr('10.0.0.0/8')])} of 600 clients`);
    expect(f.message).toContain('300 of 600');
  });

  it('counts a client once under overlapping rules and across a block edge, as visiting each address does', () => {
    const runs = [[ip('10.255.255.200'), 120] as const, [ip('192.168.0.250'), 20] as const];
    const allowed = [cidr('10.0.0.0/8'), cidr('10.255.0.0/16'), cidr('192.168.1.0/24')];
    const [f] = firewallFindings(reach(runs, allowed));
    expect(f.message).toContain(`${blockedByVisit(runs, allowed)} of 140 clients`);
  });

  it('says nothing when every client is allowed, or when no rule lists the port', () => {
    const runs = [[ip('10.30.0.1'), 300] as const];
    expect(firewallFindings(reach(runs, [cidr('10.0.0.0/8')]))).toEqual([]);
    expect(firewallFindings(reach(runs, null))).toEqual([]);
  });
});
