// One entry point for every mode: a node's services and endpoints in, its lookup table out.

import { IptablesTable } from './iptables.js';
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
    case 'nftables':
      throw new Error(`proxy mode ${mode} is not compiled yet`);
  }
}
