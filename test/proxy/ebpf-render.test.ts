// `rules --mode ebpf`: the maps as `cilium-dbg bpf lb list` prints them, and Maglev slot counts.

import { describe, expect, it } from 'vitest';
import { renderNodeRules } from '../../src/proxy/render.js';
import { servicePort } from './fixtures.js';

const web = servicePort({
  svc: 'web',
  clusterIP: '10.96.184.22',
  nodePort: 30080,
  endpoints: [
    { ip: '10.244.1.201', port: 8080, node: 'node-b' },
    { ip: '10.244.2.31', port: 8080, node: 'node-c' },
    { ip: '10.244.0.9', port: 8080, node: 'node-a' },
  ],
});

describe('eBPF rules rendering', () => {
  it('prints each frontend with slot 0 and its backend slots, frontends sorted, as cilium-dbg bpf lb list does', () => {
    const out = renderNodeRules('ebpf', 'node-a', [web], { nodeIP: '192.168.1.10' }).split('\n');
    expect(out.slice(0, 13)).toEqual([
      'SERVICE ADDRESS          BACKEND ADDRESS (REVNAT_ID) (SLOT)',
      '0.0.0.0:30080/TCP        0.0.0.0:0 (1) (0) [NodePort, non-routable]',
      '                         10.244.0.9:8080/TCP (1) (1)',
      '                         10.244.1.201:8080/TCP (1) (2)',
      '                         10.244.2.31:8080/TCP (1) (3)',
      '10.96.184.22:80/TCP      0.0.0.0:0 (1) (0) [ClusterIP, non-routable]',
      '                         10.244.0.9:8080/TCP (1) (1)',
      '                         10.244.1.201:8080/TCP (1) (2)',
      '                         10.244.2.31:8080/TCP (1) (3)',
      '192.168.1.10:30080/TCP   0.0.0.0:0 (1) (0) [NodePort]',
      '                         10.244.0.9:8080/TCP (1) (1)',
      '                         10.244.1.201:8080/TCP (1) (2)',
      '                         10.244.2.31:8080/TCP (1) (3)',
    ]);
  });

  it('adds the Maglev table’s slots per backend, which sum to M and differ by at most one', () => {
    const out = renderNodeRules('ebpf', 'node-a', [web], { nodeIP: '192.168.1.10', ebpf: { algorithm: 'maglev', maglevTableSize: 251, nodePortMode: 'dsr' } });
    expect(out).toContain('[NodePort, DSR]');
    const counts = [...out.matchAll(/:8080\/TCP {3}(\d+) \(/g)].map((m) => Number(m[1]));
    expect(counts.length).toBe(3);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(251);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });
});
