// Chain, set and hash names exactly as kube-proxy derives them, so rendered rules diff cleanly
// against a real node. Sources: pkg/proxy/iptables/proxier.go (portProtoHash,
// servicePortEndpointChainName) and pkg/proxy/nftables/proxier.go (hashAndTruncate).

import { createHash } from 'node:crypto';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Go's base32.StdEncoding (RFC 4648, padded) of `bytes`, cut to `chars` characters. */
export function base32Prefix(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length && out.length < chars; i++) {
    buffer = ((buffer << 8) | bytes[i]) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (out.length < chars && bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

const sha256 = (s: string): Uint8Array => createHash('sha256').update(s).digest();

export const protocolLower = (sp: ServicePortInfo): string => sp.protocol.toLowerCase();

/** portProtoHash: first 16 base32 chars of sha256(servicePortName + protocol). */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return base32Prefix(sha256(servicePortName + protocol), 16);
}

export interface IptablesServiceChains {
  readonly svc: string;
  readonly svl: string;
  readonly ext: string;
  /** KUBE-FW-: the loadBalancerSourceRanges chain (serviceFirewallChainName). */
  readonly fw: string;
}

export function iptablesServiceChains(sp: ServicePortInfo): IptablesServiceChains {
  const h = portProtoHash(sp.name, protocolLower(sp));
  return { svc: `KUBE-SVC-${h}`, svl: `KUBE-SVL-${h}`, ext: `KUBE-EXT-${h}`, fw: `KUBE-FW-${h}` };
}

/** servicePortEndpointChainName: sha256(servicePortName + protocol + "ip:port"). */
export function iptablesEndpointChain(sp: ServicePortInfo, ep: EndpointInfo): string {
  return `KUBE-SEP-${base32Prefix(sha256(sp.name + protocolLower(sp) + ep.key), 16)}`;
}

/** nftables chainNameBaseLengthMax. */
const NFT_NAME_BASE_MAX = 240;

/** hashAndTruncate: "HASH8-name", cut to 240 characters with "..." when longer. */
function hashAndTruncate(name: string): string {
  const full = `${base32Prefix(sha256(name), 8)}-${name}`;
  return full.length > NFT_NAME_BASE_MAX ? `${full.slice(0, NFT_NAME_BASE_MAX - 3)}...` : full;
}

/** servicePortChainNameBase: "HASH8-ns/svc/proto/portName". */
export function nftServiceNameBase(sp: ServicePortInfo): string {
  return hashAndTruncate(`${sp.namespace}/${sp.serviceName}/${protocolLower(sp)}/${sp.portName}`);
}

/** servicePortEndpointChainNameBase: "HASH8-ns/svc/proto/portName__ip/port" (IPv6 ':' → '.'). */
export function nftEndpointNameBase(sp: ServicePortInfo, ep: EndpointInfo): string {
  const ip = ep.ip.replaceAll(':', '.');
  return hashAndTruncate(`${sp.namespace}/${sp.serviceName}/${protocolLower(sp)}/${sp.portName}__${ip}/${ep.port}`);
}
