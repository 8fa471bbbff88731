// Tables built from a part shared by every node of a snapshot, against tables each node compiles
// alone: the same decisions, walks and explanations for every client (outside ones, pods, the
// node itself and loopback) and destination (a node's nodePort, the load-balancer IP with and
// without source ranges, the ClusterIP, 127.0.0.1), for Cluster and Local external and internal
// policy; and a partial sync that keeps the unchanged service ports' shared parts as they were
// (the same objects) while the changed one matches a fresh compile.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileNodeTable, compileSharedTables, type SharedTables } from '../../src/proxy/compile.js';
import { NodeProxyState } from '../../src/proxy/node-state.js';
import type { ServicePortInfo } from '../../src/proxy/service-map.js';
import { TargetVersions } from '../../src/proxy/target-versions.js';
import { DEFAULT_COSTS, type Destination, type NodeProxyTable, PROXY_MODES, type ProxyMode, Verdict } from '../../src/proxy/types.js';
import { ipv4ToUint32 } from '../../src/net/ipv4.js';
import { IptablesTable } from '../../src/proxy/iptables.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { NaiveWalker, oneDrawRescaled } from './naive-walker.js';
import { type EndpointSpec, servicePort } from './fixtures.js';
import { mulberry32 } from '../support/seeded.js';

const NODES = [
  { name: 'node-a', ip: '192.168.1.10', zone: 'z1' },
  { name: 'node-b', ip: '192.168.1.11', zone: 'z2' },
  { name: 'node-c', ip: '192.168.1.12', zone: 'z1' },
];
/** Outside clients, pods (and endpoints: hairpin), node-a's own address and loopback (`--src-type LOCAL`). */
const CLIENTS = ['203.0.113.7', '198.51.100.1', '10.244.0.1', '10.244.1.2', '10.244.9.9', '192.168.1.10', '127.0.0.1'];
const DESTINATIONS: readonly Destination[] = ['node-port', 'load-balancer-ip', 'cluster-ip', 'localhost-node-port'];
const EBPF = { algorithm: 'maglev', maglevTableSize: 251, nodePortMode: 'hybrid' } as const;

const endpointArb: fc.Arbitrary<EndpointSpec> = fc.record({
  ip: fc.constantFrom('10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.1.1', '10.244.1.2', '10.244.1.3', '10.244.2.1', '10.244.2.2', '10.244.2.3'),
  node: fc.constantFrom(...NODES.map((n) => n.name)),
  ready: fc.boolean(),
  serving: fc.boolean(),
  terminating: fc.boolean(),
  zoneHints: fc.option(fc.constantFrom(['z1'], ['z2']), { nil: undefined }),
});

const serviceArb = fc.record({
  policy: fc.constantFrom('Cluster' as const, 'Local' as const),
  internalPolicy: fc.constantFrom('Cluster' as const, 'Local' as const),
  loadBalancer: fc.boolean(),
  // The second covers node-a's address (allowFromNode on node-a only) and some pods.
  sourceRanges: fc.option(fc.constantFrom(['203.0.113.0/24'], ['10.244.0.0/16', '192.168.1.10/32'], ['198.51.100.0/24', '10.244.1.0/24']), { nil: undefined }),
  affinity: fc.constantFrom('None' as const, 'ClientIP' as const),
  externalIP: fc.boolean(),
  nodePort: fc.boolean(),
  endpoints: fc.array(endpointArb, { maxLength: 8 }),
});

/** Service ports named out of order, so plan positions and service-port indexes differ. */
const clusterArb = fc.array(serviceArb, { minLength: 1, maxLength: 6 }).map((svcs): ServicePortInfo[] =>
  svcs.map((s, i) =>
    servicePort({
      svc: `svc${(i * 7) % 10}-${i}`,
      clusterIP: `172.30.0.${i + 1}`,
      nodePort: s.nodePort ? 30_000 + i : 0,
      externalIPs: s.externalIP ? [`192.168.99.${i}`] : [],
      policy: s.policy,
      internalPolicy: s.internalPolicy,
      ...(s.loadBalancer ? { loadBalancerIPs: [`198.18.0.${i + 1}`], ...(s.sourceRanges === undefined ? {} : { sourceRanges: s.sourceRanges }) } : {}),
      affinity: s.affinity,
      affinityTimeoutS: 2,
      endpoints: s.endpoints,
    }),
  ),
);

const packetsArb = fc.array(
  fc.record({ node: fc.integer({ min: 0, max: NODES.length - 1 }), port: fc.integer({ min: 29_999, max: 30_006 }), client: fc.integer({ min: 0, max: CLIENTS.length - 1 }), to: fc.constantFrom(...DESTINATIONS), dtMs: fc.integer({ min: 0, max: 1500 }), seed: fc.integer() }),
  { minLength: 1, maxLength: 40 },
);

const optionsOf = (node: (typeof NODES)[number], state: NodeProxyState, localhostNodePorts: boolean) => ({ nodeIP: node.ip, zone: node.zone, ebpf: EBPF, localhostNodePorts, state });

/** Everything a connect tells the simulator, and the walk it explains. */
function decision(t: NodeProxyTable, verdict: number): string {
  return `${verdict} rules=${t.lastRulesWalked} cost=${t.lastCostNs} masq=${t.lastMasquerade} lost=${t.lastReplyLost} dsr=${t.lastDirectReply === true} ${t.explain().join(' → ')}`;
}

/** Each node's table from the shared part of its zone and a table it compiles alone, asked the same packets in turn. */
function expectSameAsAlone(mode: ProxyMode, sps: readonly ServicePortInfo[], sharedOf: (zone: string) => SharedTables, packets: fc.infer<typeof packetsArb>, localhostNodePorts = true): void {
  const fromShared = NODES.map((n) => compileNodeTable(mode, n.name, sps, DEFAULT_COSTS, optionsOf(n, new NodeProxyState(), localhostNodePorts), sharedOf(n.zone)));
  const alone = NODES.map((n) => compileNodeTable(mode, n.name, sps, DEFAULT_COSTS, optionsOf(n, new NodeProxyState(), localhostNodePorts)));
  let now = 0;
  for (const pkt of packets) {
    now += pkt.dtMs * 1e6;
    const client = ipv4ToUint32(CLIENTS[pkt.client]);
    const [a, b] = [fromShared[pkt.node], alone[pkt.node]];
    // Cilium's socket-level balancing of in-cluster clients is not modelled (the table throws).
    const to = mode === 'ebpf' && (pkt.to === 'cluster-ip' || pkt.to === 'localhost-node-port') ? 'node-port' : pkt.to;
    const got = decision(a, a.connect(pkt.port, client, now, mulberry32(pkt.seed), 40_000 + pkt.client, to));
    const want = decision(b, b.connect(pkt.port, client, now, mulberry32(pkt.seed), 40_000 + pkt.client, to));
    if (got !== want) throw new Error(`${mode} ${NODES[pkt.node].name} ${to} port ${pkt.port} from ${CLIENTS[pkt.client]}:\n shared ${got}\n alone  ${want}`);
  }
}

describe('tables built from a shared part', () => {
  for (const mode of PROXY_MODES) {
    it(`decide and explain as tables compiled alone, on every node, for Cluster and Local policy (${mode})`, () => {
      fc.assert(
        fc.property(clusterArb, packetsArb, fc.boolean(), (sps, packets, localhostNodePorts) => {
          // With a zone hint somewhere each zone has its part (as NodeProxies compiles them), else one serves every zone.
          const hinted = sps.some((sp) => sp.endpoints.some((e) => e.zoneHints !== undefined));
          const parts = new Map<string, SharedTables>();
          const sharedOf = (zone: string): SharedTables => {
            const z = hinted ? zone : '';
            let part = parts.get(z);
            if (part === undefined) parts.set(z, (part = compileSharedTables(mode, sps, { ebpf: EBPF, localhostNodePorts, zone: z })));
            return part;
          };
          expectSameAsAlone(mode, sps, sharedOf, packets, localhostNodePorts);
        }),
        { numRuns: 300, seed: 20_261_130 },
      );
    });
  }
});

/** What a verdict of the compiled table means in the naive walker's words. */
function outcome(table: IptablesTable, nodePort: number, r: number): string {
  if (r === Verdict.Drop || r === Verdict.SourceRangeDrop) return 'DROP';
  if (r === Verdict.Reject) return 'REJECT';
  if (r === Verdict.NoService) return 'NONE';
  return `DNAT ${table.servicePorts[table.servicePortForNodePort(nodePort)].endpoints[r].key}`;
}

describe('iptables tables built from one shared part', () => {
  // The node-dependent counts (internal policy Local, a Local port's DROPs, allowFromNode) laid
  // over the shared ones must walk as the rules each node's own whole plan renders.
  it('walk as a naive walk of the rules each node renders, for every destination and source', () => {
    fc.assert(
      fc.property(clusterArb, packetsArb, fc.boolean(), (sps, packets, localhostNodePorts) => {
        // One part for every node, or one per zone when zone hints make zones differ (as NodeProxies compiles them).
        const hinted = sps.some((sp) => sp.endpoints.some((e) => e.zoneHints !== undefined));
        const parts = new Map<string, SharedTables>();
        const chainsOf = (zone: string) => {
          const z = hinted ? zone : '';
          let part = parts.get(z);
          if (part === undefined) parts.set(z, (part = compileSharedTables('iptables', sps, { localhostNodePorts, zone: z })));
          if (part.mode !== 'iptables') throw new Error('mode');
          return part.chains;
        };
        const tables = NODES.map((n) => new IptablesTable(n.name, sps, DEFAULT_COSTS, { nodeIP: n.ip, zone: n.zone, localhostNodePorts, state: new NodeProxyState() }, chainsOf(n.zone)));
        const walkers = tables.map((t) => new NaiveWalker(renderIptables(t.plan)));
        let now = 0;
        for (const pkt of packets) {
          const sp = sps[(pkt.port - 29_999) % sps.length];
          if (sp.nodePort === 0) continue;
          const node = NODES[pkt.node];
          // Each destination from the sources the simulator sends it: load-balancer IPs from outside.
          const src = pkt.to === 'localhost-node-port' ? '127.0.0.1' : CLIENTS[pkt.client];
          const srcLocal = src === node.ip || src === '127.0.0.1';
          const lbIP = sp.loadBalancerIPs?.[0];
          const inCluster = srcLocal || src.startsWith('10.244.');
          if ((pkt.to === 'load-balancer-ip' && (lbIP === undefined || inCluster)) || (pkt.to === 'node-port' && src === '127.0.0.1')) continue;
          // ClusterIP packets come from pods and the node.
          if (pkt.to === 'cluster-ip' && !inCluster) continue;
          now += pkt.dtMs * 1e6;
          const u = mulberry32(pkt.seed)();
          const table = tables[pkt.node];
          const r = table.connect(sp.nodePort, ipv4ToUint32(src), now, () => u, 40_000, pkt.to);
          const cip = pkt.to === 'cluster-ip';
          const lb = pkt.to === 'load-balancer-ip';
          const dst = cip ? sp.clusterIP : lb ? (lbIP as string) : pkt.to === 'localhost-node-port' ? '127.0.0.1' : node.ip;
          const w = walkers[pkt.node].walk({ src, dst, dport: cip || lb ? sp.port : sp.nodePort, srcLocal, dstLocal: !cip && !lb }, now, oneDrawRescaled(u), cip ? 'KUBE-SERVICES' : 'KUBE-EXTERNAL-SERVICES');
          const got = `${outcome(table, sp.nodePort, r)} rules=${table.lastRulesWalked} masq=${r >= 0 && table.lastMasquerade}`;
          const want = `${w.verdict === 'DNAT' ? `DNAT ${w.target}` : w.verdict} rules=${w.rules} masq=${w.verdict === 'DNAT' && w.masquerade}`;
          if (got !== want) throw new Error(`${node.name} ${pkt.to} ${dst} from ${src}: table ${got}, walker ${want}\ntable: ${table.explain().join(' → ')}\nwalker: ${w.chains.join(' → ')}`);
        }
      }),
      { numRuns: 400, seed: 20_261_132 },
    );
  });
});

/** `sps` with port `k`'s endpoints replaced: a new object for it, every other port the same. */
const withEndpoints = (sps: readonly ServicePortInfo[], k: number, endpoints: readonly EndpointSpec[]): ServicePortInfo[] =>
  sps.map((sp, i) => (i === k ? { ...sp, endpoints: servicePort({ endpoints: [...endpoints] }).endpoints } : sp));

/** The parts a shared table keeps per service port, by service-port index (objects, compared by identity). */
function perPortParts(shared: SharedTables): Map<number, unknown> {
  const out = new Map<number, unknown>();
  switch (shared.mode) {
    case 'iptables':
    case 'nftables': {
      const { plan, names } = shared.chains;
      plan.order.forEach((sp, p) => out.set(sp, names.of(p)));
      return out;
    }
    case 'ipvs':
      for (const vs of shared.ipvs.servers) out.set(vs.sp, vs);
      return out;
    case 'ebpf':
      for (const port of shared.ebpf.ports) out.set(port.sp, port);
      return out;
  }
}

/** A nodePort-indexed array (65,536 entries, nearly all -1) as its set entries, which compare fast. */
function setEntries(a: Int32Array): string {
  let out = '';
  for (let i = 0; i < a.length; i++) if (a[i] !== -1) out += `${i}:${a[i]} `;
  return out;
}

/** The shared part as plain data, without the caches it fills when asked. */
function contentOf(shared: SharedTables): unknown {
  switch (shared.mode) {
    case 'iptables':
    case 'nftables': {
      const plan = shared.chains.plan;
      return { ...plan, natByNodePort: setEntries(plan.natByNodePort), filterByNodePort: setEntries(plan.filterByNodePort) };
    }
    case 'ipvs':
      return { ...shared.ipvs, byNodePort: setEntries(shared.ipvs.byNodePort) };
    case 'ebpf':
      return { ...shared.ebpf, byNodePort: setEntries(shared.ebpf.byNodePort), maglev: null };
  }
}

describe('a partial sync of the shared part', () => {
  const changeArb = fc.tuple(clusterArb, fc.nat(), fc.array(endpointArb, { maxLength: 5 }), packetsArb);
  for (const mode of PROXY_MODES) {
    it(`keeps the unchanged service ports' parts (the same objects) and compiles the changed one as a fresh compile does (${mode})`, () => {
      fc.assert(
        fc.property(changeArb, ([before, pick, endpoints, packets]) => {
          const k = pick % before.length;
          const old = compileSharedTables(mode, before, { ebpf: EBPF });
          const oldParts = perPortParts(old);
          const after = withEndpoints(before, k, endpoints);
          const partial = compileSharedTables(mode, after, { ebpf: EBPF }, { shared: old, servicePorts: before, changed: new Set([k]) });
          const newParts = perPortParts(partial);
          for (const [sp, part] of oldParts) if (sp !== k) expect(newParts.get(sp)).toBe(part);
          expect(contentOf(partial)).toEqual(contentOf(compileSharedTables(mode, after, { ebpf: EBPF })));
          if (!after.some((sp) => sp.endpoints.some((e) => e.zoneHints !== undefined))) expectSameAsAlone(mode, after, () => partial, packets);
        }),
        { numRuns: 200, seed: 20_261_131 },
      );
    });
  }

  it('compiles everything again when a port changed more than its endpoints', () => {
    const before = [servicePort({ svc: 'a', nodePort: 30_000, endpoints: [{ ip: '10.244.0.1', node: 'node-a' }] }), servicePort({ svc: 'b', clusterIP: '172.30.0.2', nodePort: 30_001 })];
    const old = compileSharedTables('ipvs', before);
    const after = [{ ...before[0], nodePort: 30_005 }, before[1]];
    const partial = compileSharedTables('ipvs', after, {}, { shared: old, servicePorts: before, changed: new Set([0]) });
    expect(contentOf(partial)).toEqual(contentOf(compileSharedTables('ipvs', after)));
    if (partial.mode !== 'ipvs' || old.mode !== 'ipvs') throw new Error('mode');
    expect(partial.ipvs.servers[1]).not.toBe(old.ipvs.servers[1]);
  });
});

describe('the versions of a run', () => {
  const sps = [
    servicePort({ svc: 'target', nodePort: 30_080, endpoints: [{ ip: '10.244.0.1', node: 'node-a' }, { ip: '10.244.1.1', node: 'node-b' }] }),
    servicePort({ svc: 'other', clusterIP: '172.30.0.2', nodePort: 30_081, endpoints: [{ ip: '10.244.2.1', node: 'node-c' }] }),
  ];

  it('give every zone one shared part without zone hints, and one per zone with them', () => {
    const plain = new TargetVersions('iptables', sps, {});
    expect(plain.sharedFor(0, 'z1')).toBe(plain.sharedFor(0, 'z2'));
    const hinted = new TargetVersions('iptables', [{ ...sps[0], endpoints: sps[0].endpoints.map((e) => ({ ...e, zoneHints: ['z1'] })) }, sps[1]], {});
    expect(hinted.sharedFor(0, 'z1')).not.toBe(hinted.sharedFor(0, 'z2'));
  });

  it('compile a new target version from the last one: the other port keeps its part', () => {
    const versions = new TargetVersions('ebpf', sps, {});
    const first = versions.sharedFor(0, '');
    const v = versions.publish([sps[0].endpoints[0]], 1);
    const second = versions.sharedFor(v, '');
    if (first.mode !== 'ebpf' || second.mode !== 'ebpf') throw new Error('mode');
    expect(second.ebpf.ports[1]).toBe(first.ebpf.ports[1]);
    expect(second.ebpf.ports[0]).not.toBe(first.ebpf.ports[0]);
    expect(versions.portsOf(v)[1]).toBe(sps[1]);
    expect(versions.portsOf(v)[0].endpoints).toEqual([sps[0].endpoints[0]]);
  });
});
