// A node's IPVS NodePort virtual servers in `ipvsadm -Ln` layout (ipvsadm.c print_service_entry),
// real servers in the kernel's destination-list order, with ActiveConn and InActConn taken from
// the node's kernel state when the table has seen connections.

import { reconcileDestinations } from './ipvs-destinations.js';
import type { IpvsTable } from './ipvs.js';

export function renderIpvs(table: IpvsTable): string {
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const vs of table.virtualServers) {
    const sp = table.servicePorts[vs.sp];
    const timeoutS = vs.persistentTimeoutNs / 1e9;
    lines.push(`TCP  ${vs.key.replace('/TCP', '')} ${table.scheduler}${timeoutS > 0 ? ` persistent ${timeoutS}` : ''}`);
    const state = table.state.ipvs.get(vs.key);
    const keys = Array.from(vs.realServers, (e) => sp.endpoints[e].key);
    // The list as this table's sync leaves it (the kernel state may not have routed through it yet).
    const list = reconcileDestinations(table.nodeName, state?.list ?? [], -1, keys, 'keep').list;
    for (const key of list) {
      const conns = String(state?.active.get(key) ?? 0);
      const inactive = String(state?.inactive.get(key) ?? 0);
      lines.push(`  -> ${key.padEnd(28)} ${'Masq'.padEnd(7)} ${'1'.padEnd(6)} ${conns.padEnd(10)} ${inactive}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
