// `nodeport-sim rules`: what kube-proxy would program on one node, in the mode's own format,
// rendered from the same compiled table the simulator routes with.

import { compileNodeTable } from './compile.js';
import { EbpfTable } from './ebpf.js';
import { renderEbpf } from './ebpf-render.js';
import { IptablesTable } from './iptables.js';
import { renderIptables } from './iptables-render.js';
import { IpvsTable } from './ipvs.js';
import { renderIpvs } from './ipvs-render.js';
import { NftablesTable } from './nftables.js';
import { renderNftables } from './nftables-render.js';
import type { ServicePortInfo } from './service-map.js';
import { type CompileOptions, DEFAULT_COSTS, type ProxyMode } from './types.js';

export function renderNodeRules(mode: ProxyMode, nodeName: string, servicePorts: readonly ServicePortInfo[], options: CompileOptions = {}): string {
  const table = compileNodeTable(mode, nodeName, servicePorts, DEFAULT_COSTS, options);
  if (table instanceof IptablesTable) return renderIptables(table.plan);
  if (table instanceof NftablesTable) return renderNftables(table.plan);
  if (table instanceof IpvsTable) return renderIpvs(table);
  if (table instanceof EbpfTable) return renderEbpf(table);
  throw new Error(`no renderer for mode ${mode}`);
}
