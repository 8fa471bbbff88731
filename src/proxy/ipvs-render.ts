// A node's IPVS NodePort virtual servers in `ipvsadm -Ln` layout (ipvsadm.c print_service_entry),
// with ActiveConn taken from the node's kernel state when the table has seen connections.

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
    const active = table.state.ipvs.get(vs.key)?.active;
    for (const e of vs.realServers) {
      const ep = sp.endpoints[e];
      const conns = String(active?.get(ep.key) ?? 0);
      lines.push(`  -> ${ep.key.padEnd(28)} ${'Masq'.padEnd(7)} ${'1'.padEnd(6)} ${conns.padEnd(10)} 0`);
    }
  }
  return `${lines.join('\n')}\n`;
}
