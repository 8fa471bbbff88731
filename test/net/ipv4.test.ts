import { describe, expect, it } from 'vitest';
import { cidrContains, formatIPv4, ipv4ToUint32, parseCidr, parseIPv4 } from '../../src/net/ipv4.js';

// Truth: an address is the big-endian number of its four octets, a·2^24 + b·2^16 + c·2^8 + d.
const byOctets = (a: number, b: number, c: number, d: number): number => ((a * 256 + b) * 256 + c) * 256 + d;

describe('parseIPv4 and ipv4ToUint32', () => {
  const valid: [string, number][] = [
    ['0.0.0.0', 0],
    ['255.255.255.255', 2 ** 32 - 1],
    ['10.96.0.1', byOctets(10, 96, 0, 1)],
    ['192.168.1.254', byOctets(192, 168, 1, 254)],
    ['128.0.0.0', 2 ** 31],
    ['1.2.3.4', byOctets(1, 2, 3, 4)],
  ];
  it.each(valid)('reads %s as its octets in network order', (text, n) => {
    expect(parseIPv4(text)).toBe(n);
    expect(ipv4ToUint32(text)).toBe(n);
  });

  it('gives unsigned numbers for addresses with the top bit set', () => {
    expect(ipv4ToUint32('200.1.1.1')).toBeGreaterThan(0);
    expect(ipv4ToUint32('255.255.255.255')).toBe(0xffffffff);
  });

  const invalid = ['', '1.2.3', '1.2.3.4.5', '1.2.3.4.', '.1.2.3', '1..2.3', '256.0.0.1', '1.2.3.256', '1.2.3.1000', 'a.b.c.d', '1.2.3.-4', ' 1.2.3.4', '1.2.3.4/32', '1,2,3,4'];
  it.each(invalid)('refuses %j: undefined from parseIPv4, a throw from ipv4ToUint32', (text) => {
    expect(parseIPv4(text)).toBeUndefined();
    expect(() => ipv4ToUint32(text)).toThrow(/not an IPv4 address/);
  });
});

describe('formatIPv4', () => {
  it('inverts parsing at the edges and in between', () => {
    for (const text of ['0.0.0.0', '255.255.255.255', '10.244.3.7', '127.0.0.1', '128.0.0.0']) expect(formatIPv4(ipv4ToUint32(text))).toBe(text);
  });
  it('round-trips numbers across the whole range', () => {
    for (let n = 0; n < 2 ** 32; n += 16_777_259) expect(ipv4ToUint32(formatIPv4(n))).toBe(n);
  });
});

describe('parseCidr', () => {
  it('reads a block into its network, mask, size and canonical text', () => {
    expect(parseCidr('10.96.0.0/12')).toEqual({ base: byOctets(10, 96, 0, 0), prefix: 12, mask: 0xfff00000, size: 2 ** 20, text: '10.96.0.0/12' });
    expect(parseCidr('0.0.0.0/0')).toEqual({ base: 0, prefix: 0, mask: 0, size: 2 ** 32, text: '0.0.0.0/0' });
    expect(parseCidr('10.0.0.7/32')).toEqual({ base: byOctets(10, 0, 0, 7), prefix: 32, mask: 0xffffffff, size: 1, text: '10.0.0.7/32' });
  });

  const invalid = ['10.96.0.0', '10.96.0.1/12', '10.96.0.0/33', '10.96.0.0/', '10.96.0.0/1/2', '10.96.0.0/-1', '10.96.0.0/012', '300.0.0.0/8', '/8'];
  it.each(invalid)('refuses %j (no prefix, host bits set, or malformed)', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('cidrContains', () => {
  const block = parseCidr('10.244.0.0/16')!;
  it('holds the network and broadcast addresses and nothing either side', () => {
    expect(cidrContains(block, ipv4ToUint32('10.244.0.0'))).toBe(true);
    expect(cidrContains(block, ipv4ToUint32('10.244.255.255'))).toBe(true);
    expect(cidrContains(block, ipv4ToUint32('10.243.255.255'))).toBe(false);
    expect(cidrContains(block, ipv4ToUint32('10.245.0.0'))).toBe(false);
  });
  it('matches an address exactly when base <= ip < base + size', () => {
    for (const text of ['0.0.0.0/0', '128.0.0.0/1', '10.0.0.0/8', '192.168.4.0/22', '255.255.255.255/32']) {
      const c = parseCidr(text)!;
      for (let ip = 0; ip < 2 ** 32; ip += 9_999_991) expect(cidrContains(c, ip)).toBe(ip >= c.base && ip < c.base + c.size);
      expect(cidrContains(c, 2 ** 32 - 1)).toBe(c.base + c.size === 2 ** 32);
    }
  });
});
