// One entry point for every mode: a node's services and endpoints in, its lookup table out.

import { EbpfTable } from './ebpf.js';
import { IptablesTable } from './iptables.js';
import { IpvsTable } from './ipvs.js';
import { NftablesTable } from './nftables.js';
import type { ServicePortInfo } from './service-map.js';
import type { CompileOptions, CostModel, NodeProxyTable, ProxyMode } from './types.js';

export function compileNodeTable(
  mode: ProxyMode,
  nodeName: string,
  servicePorts: readonly ServicePortInfo[],
  costs: CostModel,
  options: CompileOptions = {},
): NodeProxyTable {
  switch (mode) {
    case 'iptables':
      return new IptablesTable(nodeName, servicePorts, costs, options);
    case 'ipvs':
      return new IpvsTable(nodeName, servicePorts, costs, options);
    case 'nftables':
      return new NftablesTable(nodeName, servicePorts, costs, options);
    case 'ebpf':
      return new EbpfTable(nodeName, servicePorts, costs, options);
  }
}
