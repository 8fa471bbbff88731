// The snapshots a run's kube-proxies install: every version of the target's endpoints gives one
// array of service ports (the target's new object first, every other port the same object), and
// each version's shared part (compile.ts) is compiled once, per zone only when zone hints make
// zones differ, by a partial sync from the version compiled before it.

import { type SharedTables, compileSharedTables } from './compile.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';
import type { CompileOptions, ProxyMode } from './types.js';

/** The target is service port 0: the only one whose endpoints a version changes. */
const TARGET_ONLY: ReadonlySet<number> = new Set([0]);

/** Shared parts kept for nodes still to install their version; the oldest goes past this many. */
const KEPT_SHARED = 8;

export class TargetVersions {
  /** Every endpoint list the control plane published for the target, and when. */
  private readonly versions: { readonly endpoints: readonly EndpointInfo[]; readonly madeAtNs: number }[];
  /** Per version, once a node installs it: the service ports every node's table for it reads. */
  private readonly ports: (readonly ServicePortInfo[] | undefined)[];
  /** The shared parts of the versions nodes installed lately, by `version/zone`. */
  private readonly shared = new Map<string, SharedTables>();
  /** Per zone key, the shared part compiled last and its version: the next version's partial sync starts from it. */
  private readonly last = new Map<string, { readonly version: number; readonly shared: SharedTables }>();
  /** Whether an endpoint of a service port other than the target has a zone hint. */
  private readonly othersHinted: boolean;

  constructor(
    private readonly mode: ProxyMode,
    /** The target first, then every other service port. */
    private readonly servicePorts: readonly ServicePortInfo[],
    /** Cluster-wide options (the scheduler, Cilium's): no node's name, address or zone. */
    private readonly options: CompileOptions,
  ) {
    this.versions = [{ endpoints: servicePorts[0].endpoints, madeAtNs: 0 }];
    this.ports = [servicePorts];
    this.othersHinted = servicePorts.some((sp, i) => i > 0 && sp.endpoints.some((e) => e.zoneHints !== undefined));
  }

  /** Adds the control plane's new endpoints for the target; returns the version's number. */
  publish(endpoints: readonly EndpointInfo[], madeAtNs: number): number {
    return this.versions.push({ endpoints, madeAtNs }) - 1;
  }

  endpoints(version: number): readonly EndpointInfo[] {
    return this.versions[version].endpoints;
  }

  madeAtNs(version: number): number {
    return this.versions[version].madeAtNs;
  }

  /** The service ports of `version`. */
  portsOf(version: number): readonly ServicePortInfo[] {
    let ports = this.ports[version];
    if (ports === undefined) {
      const target = { ...this.servicePorts[0], endpoints: this.versions[version].endpoints };
      ports = [target, ...this.servicePorts.slice(1)];
      this.ports[version] = ports;
    }
    return ports;
  }

  /** The shared part of `version` for a node in `zone`. */
  sharedFor(version: number, zone: string): SharedTables {
    const servicePorts = this.portsOf(version);
    // Zones differ only through zone hints (CategorizeEndpoints' topologyModeFromHints): without
    // any, every node shares one part.
    const hinted = this.othersHinted || servicePorts[0].endpoints.some((e) => e.zoneHints !== undefined);
    const z = hinted ? zone : '';
    const key = `${version}/${z}`;
    let shared = this.shared.get(key);
    if (shared === undefined) {
      const last = this.last.get(z);
      const previous = last === undefined ? undefined : { shared: last.shared, servicePorts: this.portsOf(last.version), changed: TARGET_ONLY };
      shared = compileSharedTables(this.mode, servicePorts, { ...this.options, zone: z }, previous);
      this.last.set(z, { version, shared });
      this.shared.set(key, shared);
      if (this.shared.size > KEPT_SHARED) this.shared.delete(this.shared.keys().next().value as string);
    }
    return shared;
  }
}
