// Where the external clients' source addresses come from: traffic.clientCIDRs, one or more IPv4
// blocks, with the clients dealt over them in turn. Client c takes block c mod k, at host offset
// ⌊c / k⌋ from the block's first usable address (the network address + 1; a /31 or /32 has no
// network address to skip). With the default single block 100.64.0.0/10 this is 100.64.0.1 + c,
// the addresses every run had before the key existed.

import { type Cidr, formatIPv4 } from '../net/ipv4.js';

/** RFC 6598 shared address space: clear of every cluster CIDR this simulator allocates. */
export const DEFAULT_CLIENT_CIDRS: readonly string[] = ['100.64.0.0/10'];

/** The first address handed out in the block, and how many it holds for clients. */
function hostsOf(cidr: Cidr): { first: number; count: number } {
  // RFC 3021: a /31 has no network or broadcast address; a /32 is one host.
  if (cidr.prefix >= 31) return { first: cidr.base, count: cidr.size };
  return { first: cidr.base + 1, count: cidr.size - 2 };
}

/** The first client address of each block, in the order given: what `Clients` deals from. */
export const clientBases = (cidrs: readonly Cidr[]): number[] => cidrs.map((c) => hostsOf(c).first);

/** Client c's address (uint32) under the dealing described above (Clients.ip computes the same). */
export function clientAddress(bases: readonly number[], client: number): number {
  const k = bases.length;
  return k === 1 ? bases[0] + client : bases[client % k] + Math.floor(client / k);
}

/** A problem when `clients` clients do not fit the blocks (each block holds ⌈clients / k⌉ of them), else null. */
export function clientCapacityProblem(cidrs: readonly Cidr[], clients: number): string | null {
  const k = cidrs.length;
  for (let i = 0; i < k; i++) {
    const needed = Math.floor(clients / k) + (i < clients % k ? 1 : 0);
    const { count, first } = hostsOf(cidrs[i]);
    if (needed > count) return `${cidrs[i].text} holds ${count} client addresses from ${formatIPv4(first)}, but ${needed} of the ${clients} clients are dealt to it`;
  }
  return null;
}
