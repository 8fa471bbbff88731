// Every node's kube-proxy during a run: its informer and its sync runner. The table it routes on,
// and how an EndpointSlice change reaches it — a watch delay, then a sync when the runner allows
// one (a burst of syncs at once, then one per minSyncPeriod: sync-runner.ts), taking the modelled
// sync time; the runner's periodic resync (maxInterval) runs too. Until its own sync ends a node
// routes on its old table.

import type { Node } from '../cluster/model.js';
import type { Simulator } from '../engine/simulator.js';
import { IntList } from '../engine/typed-arrays.js';
import { EndpointCategories, categorizeEndpoints } from './categorize.js';
import { compileNodeTable } from './compile.js';
import { NodeProxyState } from './node-state.js';
import type { EndpointInfo, ServicePortInfo } from './service-map.js';
import { SyncRunners } from './sync-runner.js';
import { TargetVersions } from './target-versions.js';
import { LARGE_CLUSTER_ENDPOINTS, type SyncConfig, type SyncWork, maxSyncIntervalNs, runnerMinIntervalNs, syncDuration } from './sync.js';
import type { CompileOptions, CostModel, EbpfConfig, IpvsScheduler, NodeProxyTable, ProxyMode } from './types.js';

export interface NodeProxiesConfig {
  readonly mode: ProxyMode;
  readonly ipvsScheduler: IpvsScheduler;
  readonly ebpf: EbpfConfig;
  readonly costs: CostModel;
  readonly sync: SyncConfig;
  /** From the EndpointSlice update to this node's kube-proxy seeing it (informer watch). */
  readonly watchDelayNs: number;
  /** The run's end: no periodic resync is scheduled after it. */
  readonly endNs: number;
  /** --cluster-cidr for the local-traffic detector: the cluster's pod range (the compile default when absent). */
  readonly podCIDR?: string;
  /** --iptables-localhost-nodeports (the compile default, true, when absent). */
  readonly localhostNodePorts?: boolean;
}

export interface SyncStats {
  readonly syncs: number;
  readonly lagSumNs: number;
  readonly lagMaxNs: number;
}

/**
 * NAT rules kube-proxy's iptables proxier writes for a service port with n endpoints
 * (syncProxyRules): about six for the service's own chains and dispatch rules, three per
 * endpoint (the KUBE-SVC statistic jump, the KUBE-SEP hairpin check and DNAT).
 */
const natRulesPerService = (sp: ServicePortInfo): number => 6 + 3 * sp.endpoints.length;

export class NodeProxies {
  readonly tables: NodeProxyTable[];
  /** Every table each node has routed on, oldest first: `tables[n]` is the last of `history[n]`. */
  private readonly history: NodeProxyTable[][];
  /** Per node, the index of `tables[n]` in `history[n]`: what every connection reads, without the node's history array. */
  private readonly current: Int32Array;
  private readonly state: NodeProxyState[];
  /** Every version of the target's endpoints, and the shared part of each. */
  private readonly versions: TargetVersions;
  /** Per node: the newest version its informer has delivered. */
  private readonly observedVersion: Int32Array;
  /** Per node: the version its running (or last) sync reads. */
  private readonly syncingVersion: Int32Array;
  /** Per node: the target service port as its table was built (its health check answers from it). */
  private readonly installed: ServicePortInfo[];
  private readonly runners: SyncRunners;
  /** Per node: the pending sync start's handle, or -1. */
  private readonly syncScheduled: Float64Array;
  /** Per node: the pending periodic resync's handle, or -1. */
  private readonly periodic: Float64Array;
  /** Per node: when its last iptables-save for stale-chain cleanup ran. */
  private readonly lastCleanup: Float64Array;
  private readonly syncRunning: Uint8Array;
  /** When the oldest change the node has seen but not yet installed was made, or NaN. */
  private readonly pendingSince: Float64Array;
  private readonly syncStartedFor: Float64Array;
  private readonly syncs: Float64Array;
  private readonly lagSum: Float64Array;
  private readonly lagMax: Float64Array;
  private readonly staticRules: number;
  /** Endpoints of every service port but the target. */
  private readonly staticEndpoints: number;
  /** Reused by the health check's categorisation. */
  private readonly scratch = new IntList(64);
  private readonly categories = new EndpointCategories();
  private readonly OBSERVE: number;
  private readonly SYNC_START: number;
  private readonly SYNC_END: number;
  private readonly PERIODIC: number;

  constructor(
    private readonly sim: Simulator,
    private readonly nodes: readonly Node[],
    /** The target first, then every other service port (background ones included). */
    private readonly servicePorts: readonly ServicePortInfo[],
    private readonly cfg: NodeProxiesConfig,
  ) {
    const n = nodes.length;
    this.versions = new TargetVersions(cfg.mode, servicePorts, this.clusterWide());
    this.state = nodes.map(() => new NodeProxyState());
    this.observedVersion = new Int32Array(n);
    this.syncingVersion = new Int32Array(n);
    this.installed = nodes.map(() => servicePorts[0]);
    this.runners = new SyncRunners(n, runnerMinIntervalNs(cfg.mode, cfg.sync), cfg.sync.burstSyncs);
    this.syncScheduled = new Float64Array(n).fill(-1);
    this.periodic = new Float64Array(n).fill(-1);
    // The nodes' kube-proxies started at different times: their last cleanup (and periodic
    // timers) are spread evenly over one period by node index — a modelling choice.
    this.lastCleanup = Float64Array.from(nodes, (_, i) => (-cfg.sync.syncPeriodNs * i) / n);
    this.syncRunning = new Uint8Array(n);
    this.pendingSince = new Float64Array(n).fill(Number.NaN);
    this.syncStartedFor = new Float64Array(n).fill(Number.NaN);
    this.syncs = new Float64Array(n);
    this.lagSum = new Float64Array(n);
    this.lagMax = new Float64Array(n);
    let rules = 0;
    let endpoints = 0;
    for (let i = 1; i < servicePorts.length; i++) {
      rules += natRulesPerService(servicePorts[i]);
      endpoints += servicePorts[i].endpoints.length;
    }
    this.staticRules = rules;
    this.staticEndpoints = endpoints;
    this.tables = nodes.map((_, i) => this.compile(i, 0));
    this.history = this.tables.map((t) => [t]);
    this.current = new Int32Array(n);
    // The event argument packs (version, node).
    this.OBSERVE = sim.register('proxy.observe', (arg) => this.observe(arg % n, Math.floor(arg / n)));
    this.SYNC_START = sim.register('proxy.syncStart', (node) => this.syncStart(node));
    this.SYNC_END = sim.register('proxy.syncEnd', (node) => this.syncEnd(node));
    this.PERIODIC = sim.register('proxy.periodicSync', (node) => this.periodicSync(node));
    const maxIntervalNs = maxSyncIntervalNs(cfg.mode, cfg.sync);
    for (let node = 0; node < n; node++) this.schedulePeriodic(node, maxIntervalNs - (maxIntervalNs * node) / n);
  }

  /** The version number of the table `node` routes on now. */
  version(node: number): number {
    return this.current[node];
  }

  /** A table the node routed on earlier (endpoint indexes refer to it). */
  tableAt(node: number, version: number): NodeProxyTable {
    return version === this.current[node] ? this.tables[node] : this.history[node][version];
  }

  /**
   * The target's localEndpoints on this node in its last synced state: its Ready endpoints here,
   * else its Serving+Terminating ones (CategorizeEndpoints; 0 unless the target's external
   * policy is Local). The health check answers from this count.
   */
  localEndpointCount(node: number): number {
    return this.categorize(node).localCount;
  }

  /** The target's hasAnyEndpoints in this node's last synced state (a TCP check of the nodePort passes). */
  anyEndpoint(node: number): boolean {
    return this.categorize(node).hasAnyEndpoints;
  }

  /** The EndpointSlice controller published new endpoints for the target. */
  endpointsChanged(endpoints: readonly EndpointInfo[]): void {
    const version = this.versions.publish(endpoints, this.sim.now);
    for (let node = 0; node < this.nodes.length; node++) {
      this.sim.schedule(this.cfg.watchDelayNs, this.OBSERVE, version * this.nodes.length + node);
    }
  }

  stats(node: number): SyncStats {
    return { syncs: this.syncs[node], lagSumNs: this.lagSum[node], lagMaxNs: this.lagMax[node] };
  }

  /** The node's informer delivers a version and asks the runner for a sync (BoundedFrequencyRunner.Run). */
  private observe(node: number, version: number): void {
    if (version <= this.observedVersion[node]) return;
    this.observedVersion[node] = version;
    if (Number.isNaN(this.pendingSince[node])) this.pendingSince[node] = this.versions.madeAtNs(version);
    this.trySync(node);
  }

  /**
   * tryRun: a running sync is followed by another when it ends (Run's channel holds the request);
   * a deferred one will read this version, unless a token is back before it, when this runs now.
   */
  private trySync(node: number): void {
    if (this.syncRunning[node] === 1) return;
    const at = this.runners.earliestStartNs(node, this.sim.now);
    if (this.syncScheduled[node] >= 0) {
      if (at !== this.sim.now) return;
      this.sim.cancel(this.syncScheduled[node]);
    }
    this.syncScheduled[node] = this.sim.scheduleCancellable(at - this.sim.now, this.SYNC_START, node);
  }

  /** The runner's maxInterval timer fired: a sync runs though nothing changed. */
  private periodicSync(node: number): void {
    this.periodic[node] = -1;
    this.trySync(node);
  }

  private schedulePeriodic(node: number, delayNs: number): void {
    if (this.periodic[node] >= 0) this.sim.cancel(this.periodic[node]);
    this.periodic[node] = this.sim.now + delayNs < this.cfg.endNs ? this.sim.scheduleCancellable(delayNs, this.PERIODIC, node) : -1;
  }

  private syncStart(node: number): void {
    this.syncScheduled[node] = -1;
    this.syncRunning[node] = 1;
    this.runners.start(node, this.sim.now);
    this.syncingVersion[node] = this.observedVersion[node];
    this.syncStartedFor[node] = this.pendingSince[node];
    this.pendingSince[node] = Number.NaN;
    const endpoints = this.versions.endpoints(this.syncingVersion[node]);
    const changed = Number.isNaN(this.syncStartedFor[node]) ? 0 : 1;
    this.sim.schedule(Math.round(syncDuration(this.cfg.mode, this.work(node, endpoints, changed), this.cfg.sync)), this.SYNC_END, node);
  }

  /** The restore is done: the node routes on what it read when the sync began. */
  private syncEnd(node: number): void {
    this.syncRunning[node] = 0;
    this.runners.end(node, this.sim.now);
    this.schedulePeriodic(node, maxSyncIntervalNs(this.cfg.mode, this.cfg.sync));
    if (Number.isNaN(this.syncStartedFor[node])) {
      // A periodic resync: it rewrites what is there, so the table does not change.
      if (!Number.isNaN(this.pendingSince[node])) this.trySync(node);
      return;
    }
    const version = this.syncingVersion[node];
    this.tables[node] = this.compile(node, version);
    this.current[node] = this.history[node].push(this.tables[node]) - 1;
    this.installed[node] = this.tables[node].servicePorts[0];
    const lag = this.sim.now - this.syncStartedFor[node];
    this.syncs[node]++;
    this.lagSum[node] += lag;
    if (lag > this.lagMax[node]) this.lagMax[node] = lag;
    if (!Number.isNaN(this.pendingSince[node])) this.trySync(node);
  }

  /**
   * What the sync writes: `changed` (0 or 1) services — the target, whose chains a partial iptables
   * restore rewrites with the dispatch chains. iptables-save runs on every sync below the
   * large-cluster threshold, else once per syncPeriod (syncProxyRules' stale-chain cleanup).
   */
  private work(node: number, endpoints: readonly EndpointInfo[], changed: number): SyncWork {
    const target = natRulesPerService({ ...this.servicePorts[0], endpoints });
    const dispatch = 1 + 3 * this.servicePorts.length;
    const allEndpoints = this.staticEndpoints + endpoints.length;
    const now = this.sim.now;
    const save = allEndpoints <= LARGE_CLUSTER_ENDPOINTS || now - this.lastCleanup[node] > this.cfg.sync.syncPeriodNs;
    if (save) this.lastCleanup[node] = now;
    return {
      services: this.servicePorts.length,
      endpoints: allEndpoints,
      changedServices: changed,
      totalRules: this.staticRules + target,
      partialRules: dispatch + changed * target,
      save,
    };
  }

  /** CategorizeEndpoints of the target as this node last installed it. */
  private categorize(node: number): EndpointCategories {
    this.scratch.length = 0;
    categorizeEndpoints(this.installed[node], this.nodes[node].name, this.scratch, this.categories, this.nodes[node].zone);
    return this.categories;
  }

  /** The options every node passes alike: the shared parts are compiled with them. */
  private clusterWide(): CompileOptions {
    return {
      ipvsScheduler: this.cfg.ipvsScheduler,
      ebpf: this.cfg.ebpf,
      ...(this.cfg.podCIDR === undefined ? {} : { podCIDR: this.cfg.podCIDR }),
      ...(this.cfg.localhostNodePorts === undefined ? {} : { localhostNodePorts: this.cfg.localhostNodePorts }),
    };
  }

  /** `node`'s table for `version`: the version's shared part for the node's zone, then the node's own part. */
  private compile(node: number, version: number): NodeProxyTable {
    const { name, ip, zone } = this.nodes[node];
    const options = { ...this.clusterWide(), nodeIP: ip, zone, state: this.state[node] };
    return compileNodeTable(this.cfg.mode, name, this.versions.portsOf(version), this.cfg.costs, options, this.versions.sharedFor(version, zone));
  }
}
