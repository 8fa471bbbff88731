// A node's BPF load-balancing maps as `cilium-dbg bpf lb list` prints them (cilium-dbg/cmd/
// bpf_lb_list.go dumpSVC): per frontend `addr:port/PROTO`, slot 0 as `0.0.0.0:0 (revnat) (0)
// [flags]`, then each backend slot as `ip:port/PROTO (revnat) (slot)`; frontends sorted, in two
// tab-aligned columns. With Maglev, each NodePort service's table follows as slots per backend.

import type { EbpfTable } from './ebpf.js';
import { slotCounts } from './maglev.js';

const SERVICE_ADDRESS = 'SERVICE ADDRESS';
const BACKEND_ADDRESS = 'BACKEND ADDRESS (REVNAT_ID) (SLOT)';

/** Two columns as Go's tabwriter aligns them (padding 3), without trailing spaces. */
function columns(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([a]) => a.length)) + 3;
  return rows.map(([a, b]) => `${a.padEnd(width)}${b}`.trimEnd());
}

export function renderEbpf(table: EbpfTable): string {
  const { addresses, idsOf } = table.backendMap();
  const frontends = table.services.map((svc, s) => ({ svc, s, name: `${svc.address}:${svc.port}/${svc.protocol}` }));
  // cilium-dbg sorts the frontends as strings.
  frontends.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows: [string, string][] = [[SERVICE_ADDRESS, BACKEND_ADDRESS]];
  for (const { svc, name } of frontends) {
    const external = svc.kind !== 'ClusterIP';
    // ServiceFlags.String (pkg/maps/lbmap/types.go) lists "check source-range" after non-routable.
    const flags = [
      svc.kind,
      ...(svc.local ? ['Local'] : []),
      ...(external && svc.routable && svc.nat === 'dsr' ? ['DSR'] : []),
      ...(svc.routable ? [] : ['non-routable']),
      ...(svc.sourceRanges !== undefined ? ['check source-range'] : []),
    ];
    rows.push([name, `0.0.0.0:0 (${svc.revNatId}) (0) [${flags.join(', ')}]`]);
    svc.slots.forEach((e, k) => rows.push(['', `${addresses[idsOf[svc.sp][e]]} (${svc.revNatId}) (${k + 1})`]));
  }
  const out = columns(rows);
  const { algorithm, maglevTableSize, nodePortMode } = table.options.ebpf;
  out.push('', `# bpf-lb-algorithm=${algorithm} bpf-lb-mode=${nodePortMode}${algorithm === 'maglev' ? ` bpf-lb-maglev-table-size=${maglevTableSize}` : ''}`);
  if (algorithm === 'maglev') {
    const maglev: [string, string][] = [['MAGLEV TABLE', 'BACKEND ADDRESS   SLOTS (SHARE)']];
    for (const { svc, s, name } of frontends) {
      if (svc.kind !== 'NodePort' || !svc.routable || svc.slots.length === 0) continue;
      const counts = slotCounts(table.maglevTableOf(s), svc.slots.length);
      svc.slots.forEach((e, k) => {
        const share = ((100 * counts[k]) / maglevTableSize).toFixed(2);
        maglev.push([k === 0 ? name : '', `${addresses[idsOf[svc.sp][e]]}   ${counts[k]} (${share}%)`]);
      });
    }
    out.push(...columns(maglev));
  }
  return `${out.join('\n')}\n`;
}
