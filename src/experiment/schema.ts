// The experiment file's shape: each key with its check and its default, and the validated type.
// Validation collects every problem with its dotted path before anything runs.

import type { InputIssue } from '../cluster/problems.js';
import { MAGLEV_TABLE_SIZES } from '../proxy/maglev.js';
import {
  type CostModel,
  EBPF_ALGORITHMS,
  EBPF_NODEPORT_MODES,
  type EbpfConfig,
  IPVS_SCHEDULERS,
  type IpvsScheduler,
  PROXY_MODES,
  type ProxyMode,
} from '../proxy/types.js';
import { type ClusterEvent, EVENT_ACTIONS } from '../sim/changes.js';
import type { SimConfig } from '../sim/config.js';
import { DURATION_KINDS } from '../traffic/duration.js';
import { INGRESS_KINDS } from '../traffic/ingress.js';
import { DEFAULTS } from './defaults.js';
import { parseAssertion } from './gates.js';

export interface NodeSpec {
  readonly name: string;
  readonly zone?: string;
}

export interface Experiment {
  readonly name: string;
  readonly title: string;
  readonly question: string;
  readonly description: string;
  readonly seed: number;
  readonly replications: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly timeseriesBucketS: number;
  readonly cluster: {
    readonly nodes: number | readonly NodeSpec[];
    readonly manifests: readonly string[];
    readonly service: string | null;
    readonly placement: 'spread' | 'packed' | readonly number[];
    readonly backgroundServices: number;
    readonly backgroundEndpointsPerService: number;
    readonly nodePortRange: string;
  };
  readonly proxy: {
    readonly mode: ProxyMode;
    readonly ipvsScheduler: IpvsScheduler;
    readonly minSyncPeriodS: number;
    readonly watchDelayMs: number;
    readonly iptablesPartialRestore: boolean;
    /** Cilium's options, read in eBPF mode only. */
    readonly ebpf: EbpfConfig;
  };
  // The model's own sections are the simulator's: one definition, no drift.
  readonly conntrack: SimConfig['conntrack'];
  readonly healthCheck: SimConfig['healthCheck'];
  readonly lifecycle: { readonly readyAfterS: number; readonly restartAfterS: number; readonly nodeMonitorGraceS: number; readonly rolloutIntervalS: number };
  readonly events: readonly ClusterEvent[];
  readonly service: {
    readonly externalTrafficPolicy: 'Cluster' | 'Local' | null;
    readonly sessionAffinity: 'None' | 'ClientIP' | null;
    readonly sessionAffinityTimeoutS: number | null;
  };
  readonly traffic: SimConfig['traffic'];
  readonly pods: SimConfig['pods'];
  readonly network: SimConfig['network'];
  readonly nodes: SimConfig['nodes'];
  readonly costs: CostModel;
  readonly sweep: Readonly<Record<string, readonly unknown[]>>;
  readonly assert: readonly string[];
}

/** A check returns what was expected when the value does not fit, else null. */
type Check = (v: unknown) => string | null;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v));

const str: Check = (v) => (typeof v === 'string' ? null : 'a string');
const nameCheck: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(v) ? null : 'a name of letters, digits, ".", "_" or "-" (it names the results folder)';
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? null : `an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`;
const num = (min: number, exclusive = false): Check => (v) =>
  typeof v === 'number' && Number.isFinite(v) && (exclusive ? v > min : v >= min) ? null : `a number ${exclusive ? '>' : '>='} ${min}`;
const oneOf = (values: readonly string[]): Check => (v) => (typeof v === 'string' && values.includes(v) ? null : `one of ${values.join(', ')}`);
const nullable = (c: Check): Check => (v) => (v === null ? null : c(v));
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true or false');
const oneOfNumbers = (values: readonly number[]): Check => (v) => (typeof v === 'number' && values.includes(v) ? null : `one of ${values.join(', ')}`);
const strList: Check = (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : 'a list of strings');

const nodesCheck: Check = (v) => {
  if (typeof v === 'number') return int(1, 10_000)(v);
  if (Array.isArray(v) && v.length > 0 && v.every((n) => isObject(n) && typeof n.name === 'string' && (n.zone === undefined || typeof n.zone === 'string'))) {
    return new Set(v.map((n) => n.name)).size === v.length ? null : 'node names that are all different';
  }
  return 'a node count (1 to 10000) or a list of {name, zone}';
};
const placementCheck: Check = (v) =>
  v === 'spread' || v === 'packed' || (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0))
    ? null
    : 'spread, packed, or a list of pod counts per node';
const rangeCheck: Check = (v) => {
  const m = typeof v === 'string' ? /^(\d+)-(\d+)$/.exec(v) : null;
  return m && +m[1] >= 1 && +m[1] <= +m[2] && +m[2] <= 65535 ? null : 'a port range such as 30000-32767';
};
const serviceRef: Check = (v) => (typeof v === 'string' && /^[a-z0-9-.]+\/[a-z0-9-.]+$/.test(v) ? null : 'namespace/name of a Service');

/** A duration: milliseconds as a number, or {dist, ...Ms} (DESIGN.md §7). */
const durationCheck: Check = (v) => {
  const expected = `milliseconds as a number >= 0, or {dist: ${DURATION_KINDS.join('|')}, ...} with its parameters in ms`;
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? null : expected;
  if (!isObject(v)) return expected;
  const pos = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  const keys = Object.keys(v).sort().join(',');
  switch (v.dist) {
    case 'constant':
      return keys === 'dist,valueMs' && pos(v.valueMs) ? null : '{dist: constant, valueMs: >= 0}';
    case 'uniform':
      return keys === 'dist,maxMs,minMs' && pos(v.minMs) && pos(v.maxMs) && (v.maxMs as number) >= (v.minMs as number)
        ? null
        : '{dist: uniform, minMs, maxMs} with 0 <= minMs <= maxMs';
    case 'exponential':
      return keys === 'dist,meanMs' && pos(v.meanMs) && (v.meanMs as number) > 0 ? null : '{dist: exponential, meanMs: > 0}';
    case 'lognormal':
      return keys === 'dist,meanMs,sdMs' && pos(v.meanMs) && (v.meanMs as number) > 0 && pos(v.sdMs)
        ? null
        : '{dist: lognormal, meanMs: > 0, sdMs: >= 0}';
    case 'empirical':
      return keys === 'dist,valuesMs' && Array.isArray(v.valuesMs) && v.valuesMs.length > 0 && v.valuesMs.every(pos)
        ? null
        : '{dist: empirical, valuesMs: [a non-empty list of numbers >= 0]}';
    default:
      return expected;
  }
};

interface Field {
  readonly check: Check;
  readonly required?: boolean;
}
type Section = Readonly<Record<string, Field>>;

/** Leaf keys by section; the top-level section is ''. */
const SCHEMA: Readonly<Record<string, Section>> = {
  '': {
    name: { check: nameCheck, required: true },
    title: { check: str },
    question: { check: str },
    description: { check: str },
    seed: { check: int(0, 2 ** 32 - 1) },
    replications: { check: int(1, 10_000) },
    durationS: { check: num(0, true) },
    warmupS: { check: num(0) },
    timeseriesBucketS: { check: num(0, true) },
  },
  cluster: {
    nodes: { check: nodesCheck },
    manifests: { check: strList },
    service: { check: nullable(serviceRef) },
    placement: { check: placementCheck },
    backgroundServices: { check: int(0, 1_000_000) },
    backgroundEndpointsPerService: { check: int(1, 1000) },
    nodePortRange: { check: rangeCheck },
  },
  proxy: {
    mode: { check: oneOf(PROXY_MODES) },
    ipvsScheduler: { check: oneOf(IPVS_SCHEDULERS) },
    minSyncPeriodS: { check: num(0) },
    watchDelayMs: { check: num(0) },
    iptablesPartialRestore: { check: bool },
    // A nested mapping in the file (proxy: {ebpf: {algorithm: maglev}}); a dotted leaf here.
    'ebpf.algorithm': { check: oneOf(EBPF_ALGORITHMS) },
    'ebpf.maglevTableSize': { check: oneOfNumbers(MAGLEV_TABLE_SIZES) },
    'ebpf.nodePortMode': { check: oneOf(EBPF_NODEPORT_MODES) },
  },
  conntrack: {
    maxEntries: { check: int(1, 33_554_432) },
    establishedTimeoutS: { check: num(0, true) },
    timeWaitS: { check: num(0) },
  },
  healthCheck: {
    intervalS: { check: num(0, true) },
    fall: { check: int(1, 1000) },
    rise: { check: int(1, 1000) },
  },
  lifecycle: {
    readyAfterS: { check: num(0) },
    restartAfterS: { check: num(0) },
    nodeMonitorGraceS: { check: num(0) },
    rolloutIntervalS: { check: num(0) },
  },
  service: {
    externalTrafficPolicy: { check: nullable(oneOf(['Cluster', 'Local'])) },
    sessionAffinity: { check: nullable(oneOf(['None', 'ClientIP'])) },
    sessionAffinityTimeoutS: { check: nullable(int(1, 86_400)) },
  },
  traffic: {
    clients: { check: int(1, 10_000_000) },
    model: { check: oneOf(['open', 'closed']) },
    ratePerS: { check: num(0, true) },
    thinkTimeMs: { check: durationCheck },
    requestsPerConnection: { check: int(1) },
    ingress: { check: oneOf(INGRESS_KINDS) },
    connectTimeoutS: { check: num(0, true) },
    requestTimeoutS: { check: num(0, true) },
  },
  pods: {
    concurrency: { check: int(1, 100_000) },
    queueLimit: { check: int(0) },
    serviceTime: { check: durationCheck },
  },
  network: {
    clientToNodeMs: { check: durationCheck },
    nodeToNodeMs: { check: durationCheck },
    nodeToNodeCrossZoneMs: { check: durationCheck },
    nodeToPodMs: { check: durationCheck },
  },
  nodes: {
    softirqCores: { check: int(1, 1024) },
    backlogPackets: { check: int(1, 10_000_000) },
  },
  costs: {
    iptablesRuleNs: { check: num(0) },
    ipvsLookupNs: { check: num(0) },
    nftablesLookupNs: { check: num(0) },
    ebpfLookupNs: { check: num(0) },
    conntrackHitNs: { check: num(0) },
  },
};

/** Top-level keys that are not plain sections of leaves. */
const SPECIAL = ['sweep', 'assert', 'events'];

/** Each event's own keys and checks, beside `atS` and `action` (see sim/changes.ts). */
const EVENT_FIELDS: Readonly<Record<(typeof EVENT_ACTIONS)[number], Readonly<Record<string, Field>>>> = {
  'kill-pod': { pod: { check: str, required: true }, restartAfterS: { check: num(0) } },
  scale: { deployment: { check: str, required: true }, replicas: { check: int(0, 100_000), required: true } },
  'rolling-restart': { deployment: { check: str, required: true }, intervalS: { check: num(0) } },
  'fail-node': { node: { check: str, required: true } },
  'withdraw-node': { node: { check: str, required: true } },
  'flap-readiness': { pod: { check: str, required: true }, periodS: { check: num(0, true) }, count: { check: int(1, 10_000) } },
};

function checkEvents(raw: unknown, add: (path: string, message: string) => void): void {
  if (!Array.isArray(raw)) {
    add('events', `expected a list of {atS, action, ...}, got ${show(raw)}`);
    return;
  }
  raw.forEach((e, i) => {
    const at = `events[${i}]`;
    if (!isObject(e)) {
      add(at, `expected {atS, action, ...}, got ${show(e)}`);
      return;
    }
    const atS = num(0)(e.atS);
    if (atS !== null) add(`${at}.atS`, `got ${show(e.atS)}, expected ${atS}`);
    const fields = EVENT_FIELDS[e.action as (typeof EVENT_ACTIONS)[number]];
    if (!fields) {
      add(`${at}.action`, `got ${show(e.action)}, expected one of ${EVENT_ACTIONS.join(', ')}`);
      return;
    }
    for (const [key, field] of Object.entries(fields)) {
      if (!(key in e)) {
        if (field.required) add(`${at}.${key}`, `is required for ${e.action}`);
        continue;
      }
      const expected = field.check(e[key]);
      if (expected !== null) add(`${at}.${key}`, `got ${show(e[key])}, expected ${expected}`);
    }
    for (const key of Object.keys(e)) {
      if (key !== 'atS' && key !== 'action' && !(key in fields)) add(`${at}.${key}`, `unknown key for ${e.action} (expected ${Object.keys(fields).join(', ')})`);
    }
  });
}

const closest = (word: string, candidates: readonly string[]): string | null => {
  const lower = word.toLowerCase();
  return candidates.find((c) => c.toLowerCase() === lower || c.toLowerCase().startsWith(lower.slice(0, 4))) ?? null;
};

/** Checks one value at a dotted path (as `--set` and `sweep` give them). */
export function checkPath(path: string, value: unknown): string | null {
  const dot = path.indexOf('.');
  const [section, key] = dot < 0 ? ['', path] : [path.slice(0, dot), path.slice(dot + 1)];
  const field = SCHEMA[section]?.[key];
  if (!field) return `is not a key of the experiment file`;
  const expected = field.check(value);
  return expected === null ? null : `got ${show(value)}, expected ${expected}`;
}

export const SWEEPABLE_PATHS: readonly string[] = Object.entries(SCHEMA).flatMap(([section, fields]) =>
  Object.keys(fields).map((k) => (section ? `${section}.${k}` : k)).filter((p) => p !== 'name'),
);

/** Validates a parsed experiment file and fills in the defaults; returns every issue found. */
export function validateExperiment(raw: unknown, file?: string): { experiment?: Experiment; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const add = (path: string, message: string) => issues.push({ file, path, message });
  if (!isObject(raw)) {
    add('', `expected a mapping of experiment keys, got ${show(raw)}`);
    return { issues };
  }
  const out: Record<string, unknown> = {};
  const defaults = DEFAULTS as unknown as Record<string, unknown>;
  const sectionKeys = Object.keys(SCHEMA).filter((k) => k !== '');
  for (const key of Object.keys(raw)) {
    if (key in SCHEMA[''] || sectionKeys.includes(key) || SPECIAL.includes(key)) continue;
    const hint = closest(key, [...Object.keys(SCHEMA['']), ...sectionKeys, ...SPECIAL]);
    add(key, `unknown key${hint ? ` (did you mean ${hint}?)` : ''}`);
  }
  const fill = (section: string, source: Record<string, unknown>, target: Record<string, unknown>, fallback: Record<string, unknown>) => {
    for (const [key, field] of Object.entries(SCHEMA[section])) {
      const path = section ? `${section}.${key}` : key;
      // A dotted leaf (`ebpf.algorithm`) lives in a nested mapping of the section.
      const dot = key.indexOf('.');
      if (dot >= 0) {
        const [group, leaf] = [key.slice(0, dot), key.slice(dot + 1)];
        const given = isObject(source[group]) ? (source[group] as Record<string, unknown>) : {};
        const into = (target[group] ??= {}) as Record<string, unknown>;
        if (!(leaf in given)) into[leaf] = (fallback[group] as Record<string, unknown>)[leaf];
        else {
          const expected = field.check(given[leaf]);
          if (expected !== null) add(path, `got ${show(given[leaf])}, expected ${expected}`);
          into[leaf] = given[leaf];
        }
        continue;
      }
      if (!(key in source)) {
        if (field.required) add(path, 'is required');
        else target[key] = fallback[key];
        continue;
      }
      const expected = field.check(source[key]);
      if (expected !== null) add(path, `got ${show(source[key])}, expected ${expected}`);
      target[key] = source[key];
    }
    for (const key of Object.keys(source)) {
      const leaves = Object.keys(SCHEMA[section]).filter((k) => k.startsWith(`${key}.`));
      if (section && leaves.length > 0) {
        if (!isObject(source[key])) add(`${section}.${key}`, `expected a mapping of ${leaves.join(', ')}, got ${show(source[key])}`);
        else for (const leaf of Object.keys(source[key] as object)) if (!leaves.includes(`${key}.${leaf}`)) add(`${section}.${key}.${leaf}`, `unknown key (expected ${leaves.join(', ')})`);
        continue;
      }
      if (section && !(key in SCHEMA[section])) {
        const hint = closest(key, Object.keys(SCHEMA[section]));
        add(`${section}.${key}`, `unknown key${hint ? ` (did you mean ${section}.${hint}?)` : ''}`);
      }
    }
  };
  fill('', raw, out, defaults);
  for (const section of sectionKeys) {
    const given = raw[section] ?? {};
    if (!isObject(given)) {
      add(section, `expected a mapping, got ${show(given)}`);
      continue;
    }
    const target: Record<string, unknown> = {};
    fill(section, given, target, defaults[section] as Record<string, unknown>);
    out[section] = target;
  }

  const sweep = raw.sweep ?? {};
  if (!isObject(sweep)) add('sweep', `expected a mapping of dotted paths to lists of values, got ${show(sweep)}`);
  else {
    for (const [path, values] of Object.entries(sweep)) {
      if (!Array.isArray(values) || values.length === 0) {
        add(`sweep.${path}`, `expected a non-empty list of values, got ${show(values)}`);
        continue;
      }
      if (path === 'name' || !SWEEPABLE_PATHS.includes(path)) {
        add(`sweep.${path}`, 'is not a key that can be swept');
        continue;
      }
      values.forEach((v, i) => {
        const problem = checkPath(path, v);
        if (problem) add(`sweep.${path}[${i}]`, problem);
      });
    }
  }
  out.sweep = isObject(sweep) ? sweep : {};

  checkEvents(raw.events ?? [], add);
  out.events = Array.isArray(raw.events) ? raw.events : [];

  const asserts = raw.assert ?? [];
  if (!Array.isArray(asserts)) add('assert', `expected a list of conditions such as "latency_p99_ms < 20", got ${show(asserts)}`);
  else {
    asserts.forEach((a, i) => {
      const parsed = parseAssertion(a);
      if ('expected' in parsed) add(`assert[${i}]`, `got ${show(a)}, expected ${parsed.expected}`);
    });
  }
  out.assert = Array.isArray(asserts) ? asserts : [];

  const exp = out as unknown as Experiment;
  return issues.length > 0 ? { issues } : { experiment: exp, issues };
}
