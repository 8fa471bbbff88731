import { describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/cluster/build.js';
import { endpointsForServicePort } from '../../src/cluster/endpoint-slices.js';
import { nodeRulesObject } from '../../src/kubectl/node-rules.js';
import { formatJson } from '../../src/kubectl/print-objects.js';
import { renderNodeRules } from '../../src/proxy/render.js';
import { buildServicePorts } from '../../src/proxy/service-map.js';
import { docs } from '../support/manifests.js';
import { RICH_CLUSTER } from '../support/rich-cluster.js';

const { cluster } = buildCluster(docs(...RICH_CLUSTER));
const servicePorts = buildServicePorts(cluster);
const NODES = [...cluster.nodes.map((n) => ({ name: n.name, ip: n.ip })), { name: 'node-without-pods', ip: '192.168.1.99' }];

interface Balanced {
  readonly endpoint: string;
  readonly chain: string;
  readonly probability?: string | null;
  readonly index?: number;
}
interface Entry {
  readonly name: string;
  readonly nodePort: number;
  readonly externalTrafficPolicy: string;
  readonly iptables?: { serviceChain: string | null; localChain: string | null; clusterEndpoints: Balanced[]; localEndpoints: Balanced[]; filter: { target: string } | null };
  readonly nftables?: { serviceChain: string | null; localChain: string | null; clusterEndpoints: Balanced[]; localEndpoints: Balanced[] };
  readonly ipvs?: { virtualServer: string; realServers: { address: string }[] };
}

const rules = (mode: 'iptables' | 'ipvs' | 'nftables', node: { name: string; ip: string }) =>
  JSON.parse(formatJson(nodeRulesObject(mode, node.name, servicePorts, { nodeIP: node.ip }))) as { servicePorts: Entry[] };

/** The truth from the cluster model: each service port's ready endpoints as `ip:port`, sorted as kube-proxy sorts them. */
function readyEndpoints(name: string, nodeName?: string): string[] {
  for (const s of cluster.services) {
    for (const p of s.ports) {
      const spName = `${s.namespace}/${s.name}${p.name === '' ? '' : `:${p.name}`}`;
      if (spName !== name) continue;
      return endpointsForServicePort(cluster, s, p)
        .filter((e) => e.ready && (nodeName === undefined || e.nodeName === nodeName))
        .map((e) => `${e.ip}:${e.port}`)
        .sort();
    }
  }
  throw new Error(`no service port ${name}`);
}

describe('rules -o json, iptables', () => {
  for (const node of NODES) {
    it(`on ${node.name}: the SVC chain balances over the ready endpoints with probability 1/(n-i), the last rule unconditional`, () => {
      for (const sp of rules('iptables', node).servicePorts) {
        const t = sp.iptables;
        if (t === undefined) throw new Error('no iptables entry');
        const expected = readyEndpoints(sp.name);
        expect(t.clusterEndpoints.map((e) => e.endpoint), sp.name).toEqual(expected);
        t.clusterEndpoints.forEach((e, i) => {
          const n = expected.length;
          if (i === n - 1) expect(e.probability).toBeNull();
          else expect(Number(e.probability)).toBeCloseTo(1 / (n - i), 10);
        });
        if (expected.length === 0) expect(t).toMatchObject({ serviceChain: null, filter: { target: 'REJECT' } });
      }
    });

    it(`on ${node.name}: a Local service's SVL chain holds this node's ready endpoints; none here means a DROP filter`, () => {
      for (const sp of rules('iptables', node).servicePorts.filter((s) => s.externalTrafficPolicy === 'Local')) {
        const t = sp.iptables;
        if (t === undefined) throw new Error('no iptables entry');
        const local = readyEndpoints(sp.name, node.name);
        expect(t.localEndpoints.map((e) => e.endpoint)).toEqual(local);
        expect(t.localChain === null).toBe(local.length === 0);
        expect(t.filter).toEqual(local.length === 0 ? { target: 'DROP', comment: `${sp.name} has no local endpoints` } : null);
      }
    });
  }

  it('names the chains and probabilities the iptables-restore text jumps through', () => {
    const node = NODES[0];
    const text = renderNodeRules('iptables', node.name, servicePorts, { nodeIP: node.ip });
    for (const sp of rules('iptables', node).servicePorts) {
      for (const e of sp.iptables?.clusterEndpoints ?? []) {
        const stat = e.probability === null ? '' : ` -m statistic --mode random --probability ${e.probability}`;
        expect(text).toContain(`-A ${sp.iptables?.serviceChain} -m comment --comment "${sp.name} -> ${e.endpoint}"${stat} -j ${e.chain}\n`);
        expect(text).toContain(`-A ${e.chain} -m comment --comment ${sp.name} `);
      }
    }
  });
});

describe('rules -o json, nftables', () => {
  it('lists the numgen vmap entries the nft text holds, over the ready endpoints', () => {
    const node = NODES[2];
    const text = renderNodeRules('nftables', node.name, servicePorts, { nodeIP: node.ip });
    for (const sp of rules('nftables', node).servicePorts) {
      const t = sp.nftables;
      if (t === undefined) throw new Error('no nftables entry');
      expect(t.clusterEndpoints.map((e) => e.endpoint)).toEqual(readyEndpoints(sp.name));
      if (t.clusterEndpoints.length === 0) continue;
      const vmap = t.clusterEndpoints.map((e) => `${e.index} : goto ${e.chain}`).join(' , ');
      expect(text).toContain(`numgen random mod ${t.clusterEndpoints.length} vmap { ${vmap} }`);
      expect(text).toContain(`chain ${t.serviceChain} {`);
    }
  });
});

describe('rules -o json, ipvs', () => {
  for (const node of NODES) {
    it(`on ${node.name}: one virtual server per TCP nodePort at the node IP, its real servers the endpoints the policy allows`, () => {
      const entries = rules('ipvs', node).servicePorts;
      const withNodePort = servicePorts.filter((sp) => sp.nodePort > 0 && sp.protocol === 'TCP').map((sp) => sp.name);
      expect(entries.map((e) => e.name).sort()).toEqual(withNodePort.sort());
      for (const sp of entries) {
        expect(sp.ipvs?.virtualServer).toBe(`${node.ip}:${sp.nodePort}`);
        // A Local port without a local endpoint loads every endpoint (kubernetes#97081).
        const local = sp.externalTrafficPolicy === 'Local' ? readyEndpoints(sp.name, node.name) : [];
        const expected = local.length > 0 ? local : readyEndpoints(sp.name);
        expect(sp.ipvs?.realServers.map((r) => r.address)).toEqual(expected);
      }
    });
  }
});
