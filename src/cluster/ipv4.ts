// IPv4 addresses as 32-bit numbers and CIDR blocks, for generating node, pod and cluster IPs.

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  readonly base: number;
  readonly prefix: number;
  readonly size: number;
  readonly text: string;
}

export function parseIPv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

export const formatIPv4 = (n: number): string => `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** `10.96.0.0/12`; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, bits, ...rest] = text.split('/');
  if (rest.length > 0 || bits === undefined || !/^\d{1,2}$/.test(bits)) return undefined;
  const base = parseIPv4(ip);
  const prefix = Number(bits);
  if (base === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  return { base, prefix, size, text: `${formatIPv4(base)}/${prefix}` };
}

export const cidrContains = (cidr: Cidr, ip: number): boolean => ip >= cidr.base && ip < cidr.base + cidr.size;
