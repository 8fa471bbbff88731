// docs/packet-flows.md states, per proxy mode, client kind and destination, what the first packet
// walks, whether it is masqueraded, where the pod is and how the connection ends. Every row is
// re-derived here from the simulator (packet-flow-facts.ts) and must say the same.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TrafficPolicy } from '../../src/cluster/model.js';
import type { ProxyMode } from '../../src/proxy/types.js';
import { CLIENT_DESTINATIONS, type ClientDestination, TRAFFIC_SOURCES, type TrafficSource } from '../../src/traffic/sources.js';
import { flowFacts } from './packet-flow-facts.js';

const doc = readFileSync(new URL('../../docs/packet-flows.md', import.meta.url), 'utf8');

interface Row {
  readonly policy: TrafficPolicy;
  readonly cells: readonly string[];
}

/** The rows of the two flow tables, under their "Both policies …" headings. */
function flowRows(): Row[] {
  const rows: Row[] = [];
  let policy: TrafficPolicy | null = null;
  for (const line of doc.split('\n')) {
    if (line.startsWith('## ')) policy = line.startsWith('## Both policies Cluster') ? 'Cluster' : line.startsWith('## Both policies Local') ? 'Local' : null;
    else if (policy !== null && line.startsWith('| ') && !line.startsWith('| mode') && !line.startsWith('|---')) {
      rows.push({ policy, cells: line.slice(2, -2).split(' | ') });
    }
  }
  return rows;
}

const rows = flowRows();

describe('docs/packet-flows.md', () => {
  it('has a row for every mode × valid source and destination, under both policies', () => {
    const pairs = TRAFFIC_SOURCES.flatMap((s) =>
      CLIENT_DESTINATIONS.filter((d) => (s === 'external' ? d === 'node-port' : d !== 'localhost-node-port' || s === 'host')).map((d) => `${s} ${d}`),
    );
    for (const policy of ['Cluster', 'Local'] as const) {
      for (const mode of ['iptables', 'ipvs', 'nftables']) {
        const listed = rows.filter((r) => r.policy === policy && r.cells[0] === mode).map((r) => `${r.cells[1]} ${r.cells[2]}`);
        expect(listed.sort(), `${policy} ${mode}`).toEqual([...pairs].sort());
      }
    }
  });

  for (const { policy, cells } of rows) {
    const [mode, source, to, rulesOn, chains, snat, podElsewhere, nodeHops, podSeesClient, outcome] = cells;
    it(`${policy}: ${mode}, ${source} → ${to}: ${outcome}${snat === 'yes' ? ', SNAT' : ''}`, () => {
      const f = flowFacts(mode as ProxyMode, policy, source as TrafficSource, to as ClientDestination);
      expect({ rulesOn: f.rulesOn, chains: f.chains, snat: f.snat, podElsewhere: f.podElsewhere, nodeHops: f.nodeHops, podSeesClient: f.podSeesClient, outcome: f.outcome }).toEqual({
        rulesOn,
        chains,
        snat,
        podElsewhere,
        nodeHops,
        podSeesClient,
        outcome,
      });
    });
  }
});
