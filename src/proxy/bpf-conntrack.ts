// Cilium's BPF connection tracking as the eBPF data path uses it instead of netfilter's: the TCP
// CT map's size and timeouts are cilium-agent's defaults (pkg/option/config.go and
// daemon/cmd flags): --bpf-ct-global-tcp-max 524288 (2 << 18), --bpf-ct-timeout-service-tcp
// 8000 s for an established service flow, --bpf-ct-timeout-regular-tcp-fin 10 s after the close
// (CT_CLOSE_TIMEOUT, in place of the kernel's 120 s TIME_WAIT). The map is an LRU hash: full, it
// evicts (see conntrack.ts WhenFull); the agent's garbage collector (pkg/maps/ctmap/gc) only
// sweeps expired entries, on an interval it shortens as the map fills.

import type { WhenFull } from './conntrack.js';

export interface BpfConntrackConfig {
  readonly maxEntries: number;
  readonly establishedTimeoutS: number;
  readonly closeTimeoutS: number;
  readonly whenFull: WhenFull;
}

export const BPF_CONNTRACK: BpfConntrackConfig = {
  maxEntries: 524_288,
  establishedTimeoutS: 8000,
  closeTimeoutS: 10,
  whenFull: 'evict',
};
