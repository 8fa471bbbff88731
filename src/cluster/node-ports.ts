// NodePort allocation as the apiserver does it (portallocator + bitmap randomScanStrategyWithOffset,
// KEP-3668 static sub-band): explicit ports checked against the range and each other, automatic
// ports drawn from the upper band first. Error texts are the apiserver's own.

import seedrandom from 'seedrandom';
import type { ServicePort, ServiceType, TrafficPolicy } from './model.js';

/** kube-apiserver --service-node-port-range default. */
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';

export interface PortRange {
  readonly base: number;
  readonly size: number;
  /** As configured (`30000-32767`); quoted in the out-of-range message. */
  readonly text: string;
}

/** `30000-32767` → {base, size}; undefined when malformed or not within 1-65535. */
export function parsePortRange(text: string): PortRange | undefined {
  const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (match === null) return undefined;
  const low = Number(match[1]);
  const high = Number(match[2]);
  if (low < 1 || high > 65_535 || high < low) return undefined;
  return { base: low, size: high - low + 1, text: `${low}-${high}` };
}

/** Ports at the bottom of the range kept for explicit requests (KEP-3668): 86 for the default range. */
export function staticBandSize(size: number): number {
  return size <= 16 ? 0 : Math.min(Math.max(16, Math.floor(size / 32)), 128);
}

export const outOfRangeMessage = (port: number, range: PortRange): string =>
  `Invalid value: ${port}: provided port is not in the valid range. The range of valid ports is ${range.text}`;
export const alreadyAllocatedMessage = (port: number): string => `Invalid value: ${port}: provided port is already allocated`;
export const RANGE_FULL_MESSAGE = 'Internal error occurred: failed to allocate a nodePort: range is full';

/** One allocation bitmap over the range; identity and mutation are the point here. */
export class NodePortAllocator {
  private readonly used: Uint8Array;
  private count = 0;
  private readonly offset: number;
  private readonly random: () => number;

  constructor(
    readonly range: PortRange,
    seed = 'nodeports',
  ) {
    this.used = new Uint8Array(range.size);
    this.offset = staticBandSize(range.size);
    this.random = seedrandom.alea(seed);
  }

  get allocated(): number {
    return this.count;
  }

  /** Claims an explicit port; the apiserver's field message on failure. */
  allocate(port: number): { ok: true } | { ok: false; message: string } {
    const at = port - this.range.base;
    if (at < 0 || at >= this.range.size) return { ok: false, message: outOfRangeMessage(port, this.range) };
    if (this.used[at] === 1) return { ok: false, message: alreadyAllocatedMessage(port) };
    this.used[at] = 1;
    this.count += 1;
    return { ok: true };
  }

  /** A free port, random start and forward scan in the upper band, then the static band; undefined when full. */
  allocateNext(): number | undefined {
    const size = this.range.size;
    if (this.count >= size) return undefined;
    const upper = size - this.offset;
    const at = this.scan(this.offset, upper) ?? this.scan(0, this.offset);
    if (at === undefined) return undefined;
    this.used[at] = 1;
    this.count += 1;
    return this.range.base + at;
  }

  private scan(from: number, length: number): number | undefined {
    if (length <= 0) return undefined;
    const start = Math.floor(this.random() * length);
    for (let i = 0; i < length; i++) {
      const at = from + ((start + i) % length);
      if (this.used[at] === 0) return at;
    }
    return undefined;
  }
}

export interface NodePortRequest {
  readonly type: ServiceType;
  readonly ports: readonly Pick<ServicePort, 'port' | 'nodePort'>[];
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly healthCheckNodePort?: number;
  /** LoadBalancer only; default true. */
  readonly allocateLoadBalancerNodePorts?: boolean;
}

export interface NodePortOptions {
  readonly range?: PortRange;
  /** Kubernetes gives NodePort services no health-check port; the simulator's health-checked ingress needs one. */
  readonly allocateHealthCheckForNodePortLocal?: boolean;
  readonly seed?: string;
}

export interface NodePortAssignment {
  /** Per service port; an explicit port is kept as given even when it was refused. */
  readonly nodePorts: readonly (number | undefined)[];
  readonly healthCheckNodePort?: number;
}

export interface NodePortIssue {
  readonly service: number;
  readonly path: string;
  readonly message: string;
}

const needsHealthCheck = (s: NodePortRequest, options: NodePortOptions): boolean =>
  s.externalTrafficPolicy === 'Local' &&
  (s.type === 'LoadBalancer' || (s.type === 'NodePort' && options.allocateHealthCheckForNodePortLocal === true));

/**
 * Assigns nodePorts to every service. All explicit ports are claimed before any automatic one,
 * so the outcome does not depend on document order; within a service, ports sharing a `port`
 * number share a nodePort (the apiserver's initNodePorts).
 */
export function assignNodePorts(
  services: readonly NodePortRequest[],
  options: NodePortOptions = {},
): { assignments: NodePortAssignment[]; issues: NodePortIssue[] } {
  const allocator = new NodePortAllocator(options.range ?? (parsePortRange(DEFAULT_NODE_PORT_RANGE) as PortRange), options.seed);
  const issues: NodePortIssue[] = [];
  const nodePorts: (number | undefined)[][] = services.map((s) => s.ports.map((p) => p.nodePort));
  const healthChecks: (number | undefined)[] = services.map((s) => s.healthCheckNodePort);
  const byPort: Map<number, number>[] = services.map(() => new Map());

  services.forEach((s, si) => {
    s.ports.forEach((p, pi) => {
      if (p.nodePort === undefined) return;
      if (byPort[si].get(p.port) === p.nodePort) return;
      const result = allocator.allocate(p.nodePort);
      if (!result.ok) issues.push({ service: si, path: `spec.ports[${pi}].nodePort`, message: result.message });
      else if (!byPort[si].has(p.port)) byPort[si].set(p.port, p.nodePort);
    });
    if (s.healthCheckNodePort !== undefined) {
      if (!needsHealthCheck(s, options)) {
        issues.push({
          service: si,
          path: 'spec.healthCheckNodePort',
          message: "Invalid value: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        });
      } else {
        const result = allocator.allocate(s.healthCheckNodePort);
        if (!result.ok) issues.push({ service: si, path: 'spec.healthCheckNodePort', message: result.message });
      }
    }
  });

  services.forEach((s, si) => {
    const automatic = s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
    if (automatic) {
      s.ports.forEach((p, pi) => {
        if (p.nodePort !== undefined) return;
        const shared = byPort[si].get(p.port);
        if (shared !== undefined) {
          nodePorts[si][pi] = shared;
          return;
        }
        const next = allocator.allocateNext();
        if (next === undefined) issues.push({ service: si, path: `spec.ports[${pi}].nodePort`, message: RANGE_FULL_MESSAGE });
        else {
          nodePorts[si][pi] = next;
          byPort[si].set(p.port, next);
        }
      });
    }
    if (s.healthCheckNodePort === undefined && needsHealthCheck(s, options)) {
      const next = allocator.allocateNext();
      if (next === undefined) issues.push({ service: si, path: 'spec.healthCheckNodePort', message: RANGE_FULL_MESSAGE });
      healthChecks[si] = next;
    }
  });

  const assignments = services.map((_, si): NodePortAssignment => {
    const hc = healthChecks[si];
    return hc === undefined ? { nodePorts: nodePorts[si] } : { nodePorts: nodePorts[si], healthCheckNodePort: hc };
  });
  return { assignments, issues };
}
