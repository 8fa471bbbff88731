// A node's IPVS state as its tools print it: `ipvsadm -Ln` (ipvsadm.c print_service_entry) with
// ActiveConn and InActConn from the node's kernel state when the table has seen connections,
// and, as the save format, `ipvsadm -Sn` (the same entries as ipvsadm commands) after the
// `ipset` commands that create and fill kube-proxy's sets. Every ClusterIP, external IP and
// NodePort virtual server is listed, real servers in the kernel's destination-list order.

import { ipvsIpsets, ipvsServices } from './ipvs-node.js';
import type { IpvsTable } from './ipvs.js';

export function renderIpvs(table: IpvsTable): string {
  const lines = [
    'IP Virtual Server version 1.2.1 (size=4096)',
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const vs of ipvsServices(table)) {
    lines.push(`TCP  ${vs.address} ${table.scheduler}${vs.persistentTimeoutS > 0 ? ` persistent ${vs.persistentTimeoutS}` : ''}`);
    for (const key of vs.realServers) {
      const conns = String(vs.active?.get(key) ?? 0);
      const inactive = String(vs.inactive?.get(key) ?? 0);
      lines.push(`  -> ${key.padEnd(28)} ${'Masq'.padEnd(7)} ${'1'.padEnd(6)} ${conns.padEnd(10)} ${inactive}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** `ipset` create/add commands (as `ipset restore` reads them), then `ipvsadm -Sn`. */
export function renderIpvsSave(table: IpvsTable): string {
  const lines: string[] = [];
  for (const set of ipvsIpsets(table)) {
    lines.push(`create ${set.name} ${set.create}`, ...set.entries.map((e) => `add ${set.name} ${e}`));
  }
  for (const vs of ipvsServices(table)) {
    lines.push(`-A -t ${vs.address} -s ${table.scheduler}${vs.persistentTimeoutS > 0 ? ` -p ${vs.persistentTimeoutS}` : ''}`);
    for (const key of vs.realServers) lines.push(`-a -t ${vs.address} -r ${key} -m -w 1`);
  }
  return `${lines.join('\n')}\n`;
}
