// `rules --format save` against the real tools where they can run: iptables-restore --test and
// nft -c accept the text, and on a fresh network namespace, kube-proxy's restore text plus the
// jump rules and canary chains it adds with single iptables calls (restated below from
// pkg/proxy/iptables/proxier.go) read back through the real iptables-save exactly as rendered.
// Where the tools or the privileges are missing, those tests skip and say why.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { planIptables } from '../../src/proxy/iptables-plan.js';
import { renderIptables } from '../../src/proxy/iptables-render.js';
import { saveProbability, saveRule, saveString } from '../../src/proxy/iptables-save-rule.js';
import { iptablesSave } from '../../src/proxy/iptables-save.js';
import { renderNftables } from '../../src/proxy/nftables-render.js';
import { resolveOptions } from '../../src/proxy/types.js';
import { servicePort } from './fixtures.js';

const sps = [
  servicePort({ ns: 'ns1', svc: 'svc1', clusterIP: '172.30.0.41', nodePort: 3001, endpoints: [{ ip: '10.180.0.1' }, { ip: '10.180.0.2', node: 'test-node' }, { ip: '10.180.0.3' }] }),
  servicePort({
    ns: 'ns2',
    svc: 'svc2',
    clusterIP: '172.30.0.42',
    nodePort: 3002,
    policy: 'Local',
    externalIPs: ['192.168.99.22'],
    healthCheckNodePort: 30000,
    endpoints: [{ ip: '10.180.0.4', node: 'test-node' }, { ip: '10.180.0.5' }],
  }),
  servicePort({ ns: 'ns3', svc: 'svc3', clusterIP: '172.30.0.43', nodePort: 3003, affinity: 'ClientIP', endpoints: [{ ip: '10.180.0.6' }, { ip: '10.180.0.7' }] }),
  servicePort({ ns: 'ns4', svc: 'svc4', clusterIP: '172.30.0.44', nodePort: 3004, policy: 'Local', endpoints: [{ ip: '10.180.0.8' }] }),
  servicePort({ ns: 'ns5', svc: 'svc5', clusterIP: '172.30.0.45', endpoints: [] }),
];
const restore = renderIptables(planIptables('test-node', sps, resolveOptions({ podCIDR: '10.0.0.0/8' })));
const saved = iptablesSave(restore);

const run = (cmd: string, args: string[], input?: string) => spawnSync(cmd, args, { input, encoding: 'utf8' });
const has = (cmd: string): boolean => run('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe('iptables-save formats, from libxtables', () => {
  it('prints --probability as libxt_statistic stores it: lround(2^31 p) / 2^31 with 11 decimals', () => {
    expect(saveProbability('0.3333333333')).toBe((Math.round(2 ** 31 / 3) / 2 ** 31).toFixed(11));
    expect(saveProbability('0.3333333333')).toBe('0.33333333349');
    expect(saveProbability('0.5000000000')).toBe('0.50000000000');
  });

  it('quotes a string unless it is only letters, digits, _ and - (xtables_save_string)', () => {
    expect(saveString('ns1/svc1:p80')).toBe('"ns1/svc1:p80"');
    expect(saveString('c')).toBe('c');
    expect(saveString('a "b"')).toBe('"a \\"b\\""');
  });

  it('moves -s, -d and -p ahead of the matches, with /32 on host addresses, and saves MARK as --set-xmark', () => {
    expect(saveRule('-m comment --comment "x y" -m tcp -p tcp -d 10.0.0.1 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ')).toBe(
      '! -s 10.0.0.0/8 -d 10.0.0.1/32 -p tcp -m comment --comment "x y" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    );
    expect(saveRule('-j MARK --or-mark 0x4000')).toBe('-j MARK --set-xmark 0x4000/0x4000');
    expect(saveRule('-j MARK --xor-mark 0x4000')).toBe('-j MARK --set-xmark 0x4000/0x0');
    expect(saveRule('-m comment --comment c -j REJECT')).toBe('-m comment --comment c -j REJECT --reject-with icmp-port-unreachable');
  });

  it('adds the jump rules to the built-in chains, the last one kube-proxy prepends first, and the canary chain in each table', () => {
    const lines = saved.split('\n');
    const input = lines.filter((l) => l.startsWith('-A INPUT '));
    expect(input.map((l) => l.split(' -j ')[1])).toEqual(['KUBE-FIREWALL', 'KUBE-PROXY-FIREWALL', 'KUBE-NODEPORTS', 'KUBE-EXTERNAL-SERVICES']);
    expect(lines.filter((l) => l === ':KUBE-PROXY-CANARY - [0:0]')).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith('*'))).toEqual(['*mangle', '*filter', '*nat']);
  });
});

/** Why a tool cannot be used here, or null when it can. */
function unavailable(tool: string, probe: () => boolean): string | null {
  if (!has(tool)) return `${tool} is not installed (Debian package ${tool === 'nft' ? 'nftables' : 'iptables'})`;
  return probe() ? null : `${tool} cannot run here (no privileges for it in this sandbox)`;
}

const restoreTest = unavailable('iptables-restore', () => run('iptables-restore', ['--test'], '*filter\n:X - [0:0]\nCOMMIT\n').status === 0);
const netns = unavailable('iptables-save', () => run('unshare', ['-n', 'sh', '-c', 'iptables -N X && iptables-save']).status === 0);
const nftCheck = unavailable('nft', () => run('nft', ['-c', '-f', '-'], 'table ip t {\n}\n').status === 0);
for (const reason of [restoreTest, netns, nftCheck]) if (reason !== null) console.warn(`rules-save: skipped: ${reason}`);

describe.skipIf(restoreTest !== null)('iptables-restore --test', () => {
  it('accepts the restore text and the save text', () => {
    for (const text of [restore, saved]) {
      const r = run('iptables-restore', ['--test'], text);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
  });
});

describe.skipIf(netns !== null)('the real iptables-save on a fresh network namespace', () => {
  // kube-proxy's iptablesJumpChains and iptablesKubeletJumpChains, each an `iptables -I`.
  const NEW = '-m conntrack --ctstate NEW';
  const jumps = [
    `-t filter -I INPUT ${NEW} -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    `-t filter -I FORWARD ${NEW} -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    '-t filter -I INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    `-t filter -I FORWARD ${NEW} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    `-t filter -I OUTPUT ${NEW} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    '-t filter -I FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    `-t filter -I INPUT ${NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-t filter -I OUTPUT ${NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    `-t filter -I FORWARD ${NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
    '-t nat -I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-t nat -I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-t nat -I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-t filter -I INPUT -j KUBE-FIREWALL',
    '-t filter -I OUTPUT -j KUBE-FIREWALL',
  ];

  it('prints exactly what `rules --format save` renders (nfacct rules aside: their counters need nfnetlink_acct objects)', () => {
    const noNfacct = (text: string) =>
      text
        .split('\n')
        .filter((l) => !l.includes('nfacct'))
        .join('\n');
    const script = [
      'set -e',
      'iptables-restore <<"EOF"',
      noNfacct(restore).trimEnd(),
      'EOF',
      'iptables -t filter -N KUBE-FIREWALL 2>/dev/null || true',
      ...jumps.map((j) => `iptables ${j}`),
      ...['mangle', 'nat', 'filter'].map((t) => `iptables -t ${t} -N KUBE-PROXY-CANARY`),
      'iptables-save',
    ].join('\n');
    const r = run('unshare', ['-n', 'sh', '-c', script]);
    expect(r.stderr).toBe('');
    const real = r.stdout
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    expect(real).toBe(noNfacct(saved));
  });
});

describe.skipIf(nftCheck !== null)('nft -c', () => {
  it('accepts the nftables text, hook priorities included', () => {
    const text = renderNftables(planIptables('test-node', sps, resolveOptions({ podCIDR: '10.0.0.0/8' })));
    const r = run('nft', ['-c', '-f', '-'], text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
