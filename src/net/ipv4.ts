// IPv4 addresses as uint32 numbers and CIDR blocks: the one meaning every layer shares, so a
// generated cluster IP, a pod-CIDR match on the per-packet path and a parsed flag agree.
// Imports nothing from the project, so any layer may use it.

/** A CIDR block `base/prefix` whose host bits are zero. */
export interface Cidr {
  /** The network address as a uint32. */
  readonly base: number;
  /** Prefix length, 0–32. */
  readonly prefix: number;
  /** The netmask as a uint32 (0 for /0). */
  readonly mask: number;
  /** Addresses in the block, 2^(32-prefix): base + size - 1 is the broadcast address. */
  readonly size: number;
  /** Canonical text, `10.96.0.0/12`. */
  readonly text: string;
}

/**
 * Dotted quad `a.b.c.d` (each octet 1–3 decimal digits, at most 255) → uint32, or -1 when
 * malformed. A charCode loop rather than split(): compiling 100k services parses a million addresses.
 */
function parseOrMinusOne(text: string): number {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return n * 256 + octet;
}

/** `a.b.c.d` → uint32, or undefined when the text is not a dotted-quad IPv4 address (user input). */
export function parseIPv4(text: string): number | undefined {
  const n = parseOrMinusOne(text);
  return n < 0 ? undefined : n;
}

/** `a.b.c.d` → uint32; throws on anything else, for addresses already validated upstream. */
export function ipv4ToUint32(text: string): number {
  const n = parseOrMinusOne(text);
  if (n < 0) throw new Error(`not an IPv4 address: ${text}`);
  return n;
}

/** uint32 → `a.b.c.d`. */
export const formatIPv4 = (n: number): string => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/**
 * `10.96.0.0/12` → Cidr; undefined when malformed, when the prefix is missing or over 32, or
 * when host bits are set (`10.96.0.1/12` names an address, not a block).
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const bits = text.slice(slash + 1);
  if (!/^\d{1,2}$/.test(bits)) return undefined;
  const base = parseIPv4(text.slice(0, slash));
  const prefix = Number(bits);
  if (base === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base, prefix, mask, size, text: `${formatIPv4(base)}/${prefix}` };
}

/** Whether the uint32 address lies in the block; two integer operations, for the per-packet path. */
export const cidrContains = (cidr: Cidr, ip: number): boolean => ((ip & cidr.mask) >>> 0) === cidr.base;

