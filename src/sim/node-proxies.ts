// Every node's kube-proxy during a run: the table it routes on, and how an EndpointSlice change
// reaches it — a watch delay, then a sync no sooner than minSyncPeriod after the last one began,
// taking the modelled restore time. Until its own sync ends a node routes on its old table.

import type { Node } from '../cluster/model.js';
import type { Simulator } from '../engine/simulator.js';
import { compileNodeTable } from '../proxy/compile.js';
import { NodeProxyState } from '../proxy/node-state.js';
import { type EndpointInfo, type ServicePortInfo, usableEndpoints } from '../proxy/service-map.js';
import { type SyncConfig, type SyncWork, syncDuration } from '../proxy/sync.js';
import type { CostModel, IpvsScheduler, NodeProxyTable, ProxyMode } from '../proxy/types.js';

export interface NodeProxiesConfig {
  readonly mode: ProxyMode;
  readonly ipvsScheduler: IpvsScheduler;
  readonly costs: CostModel;
  readonly sync: SyncConfig;
  /** From the EndpointSlice update to this node's kube-proxy seeing it (informer watch). */
  readonly watchDelayNs: number;
}

export interface SyncStats {
  readonly syncs: number;
  readonly lagSumNs: number;
  readonly lagMaxNs: number;
}

/** NAT rules kube-proxy writes for a service port with n endpoints (kube-proxy-notes §1.5). */
const natRulesPerService = (sp: ServicePortInfo): number => 6 + 3 * sp.endpoints.length;

export class NodeProxies {
  readonly tables: NodeProxyTable[];
  private readonly state: NodeProxyState[];
  /** The control plane's current endpoints of the target. */
  private endpoints: readonly EndpointInfo[];
  private readonly lastStart: Float64Array;
  private readonly syncScheduled: Uint8Array;
  /** When the oldest change not yet in the node's table was made, or NaN. */
  private readonly pendingSince: Float64Array;
  private readonly syncStartedFor: Float64Array;
  private readonly syncs: Float64Array;
  private readonly lagSum: Float64Array;
  private readonly lagMax: Float64Array;
  private readonly nodeEndpoints: EndpointInfo[][];
  private readonly staticRules: number;
  private readonly OBSERVE: number;
  private readonly SYNC_START: number;
  private readonly SYNC_END: number;

  constructor(
    private readonly sim: Simulator,
    private readonly nodes: readonly Node[],
    /** The target first, then every other service port (background ones included). */
    private readonly servicePorts: readonly ServicePortInfo[],
    private readonly cfg: NodeProxiesConfig,
  ) {
    const n = nodes.length;
    this.endpoints = servicePorts[0].endpoints;
    this.state = nodes.map(() => new NodeProxyState());
    this.lastStart = new Float64Array(n).fill(-Infinity);
    this.syncScheduled = new Uint8Array(n);
    this.pendingSince = new Float64Array(n).fill(Number.NaN);
    this.syncStartedFor = new Float64Array(n).fill(Number.NaN);
    this.syncs = new Float64Array(n);
    this.lagSum = new Float64Array(n);
    this.lagMax = new Float64Array(n);
    this.nodeEndpoints = nodes.map(() => [...this.endpoints]);
    let rules = 0;
    for (let i = 1; i < servicePorts.length; i++) rules += natRulesPerService(servicePorts[i]);
    this.staticRules = rules;
    this.tables = nodes.map((_, i) => this.compile(i, servicePorts));
    this.OBSERVE = sim.register('proxy.observe', (node) => this.observe(node));
    this.SYNC_START = sim.register('proxy.syncStart', (node) => this.syncStart(node));
    this.SYNC_END = sim.register('proxy.syncEnd', (node) => this.syncEnd(node));
  }

  /** The endpoints this node's kube-proxy last synced (its health check answers from them). */
  localEndpointCount(node: number): number {
    return usableEndpoints(this.nodeEndpoints[node], this.nodes[node].name).length;
  }

  /** Whether this node's last synced endpoints list any endpoint (a TCP check of the nodePort passes). */
  anyEndpoint(node: number): boolean {
    return usableEndpoints(this.nodeEndpoints[node], null).length > 0;
  }

  /** The EndpointSlice controller published new endpoints for the target. */
  endpointsChanged(endpoints: readonly EndpointInfo[]): void {
    this.endpoints = endpoints;
    for (let node = 0; node < this.nodes.length; node++) {
      if (Number.isNaN(this.pendingSince[node])) this.pendingSince[node] = this.sim.now;
      this.sim.schedule(this.cfg.watchDelayNs, this.OBSERVE, node);
    }
  }

  stats(node: number): SyncStats {
    return { syncs: this.syncs[node], lagSumNs: this.lagSum[node], lagMaxNs: this.lagMax[node] };
  }

  private observe(node: number): void {
    if (this.syncScheduled[node] === 1) return; // the scheduled sync will read the newest state
    this.syncScheduled[node] = 1;
    const at = Math.max(this.sim.now, this.lastStart[node] + this.cfg.sync.minSyncPeriodNs);
    this.sim.scheduleAt(at, this.SYNC_START, node);
  }

  private syncStart(node: number): void {
    this.syncScheduled[node] = 0;
    this.lastStart[node] = this.sim.now;
    this.syncStartedFor[node] = this.pendingSince[node];
    this.pendingSince[node] = Number.NaN;
    this.sim.schedule(Math.round(syncDuration(this.cfg.mode, this.work(), this.cfg.sync)), this.SYNC_END, node);
  }

  private syncEnd(node: number): void {
    const endpoints = this.endpoints;
    this.tables[node] = this.compile(node, [{ ...this.servicePorts[0], endpoints }, ...this.servicePorts.slice(1)]);
    this.nodeEndpoints[node] = [...endpoints];
    const lag = this.sim.now - this.syncStartedFor[node];
    this.syncs[node]++;
    this.lagSum[node] += lag;
    if (lag > this.lagMax[node]) this.lagMax[node] = lag;
    // A change that arrived during the sync waits for the next one.
    if (!Number.isNaN(this.pendingSince[node]) && this.syncScheduled[node] === 0) this.observe(node);
  }

  /** One changed service (the target); a partial iptables restore rewrites its chains and the dispatch chains. */
  private work(): SyncWork {
    const target = natRulesPerService({ ...this.servicePorts[0], endpoints: this.endpoints });
    const dispatch = 1 + 3 * this.servicePorts.length;
    return {
      services: this.servicePorts.length,
      changedServices: 1,
      totalRules: this.staticRules + target,
      partialRules: dispatch + target,
    };
  }

  private compile(node: number, servicePorts: readonly ServicePortInfo[]): NodeProxyTable {
    return compileNodeTable(this.cfg.mode, this.nodes[node].name, servicePorts, this.cfg.costs, {
      ipvsScheduler: this.cfg.ipvsScheduler,
      nodeIP: this.nodes[node].ip,
      state: this.state[node],
    });
  }
}
