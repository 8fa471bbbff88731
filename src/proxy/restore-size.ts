// How many rules an iptables sync writes, full or partial, counted from the rendered restore
// text (the same text iptables-restore would read), for the sync model.

import type { IptablesPlan } from './iptables-plan.js';
import { renderIptables } from './iptables-render.js';
import type { SyncWork } from './sync.js';

/** Chains every partial sync rewrites in full (KEP-3453). */
const ALWAYS = /^-A (KUBE-SERVICES|KUBE-NODEPORTS|KUBE-POSTROUTING|KUBE-MARK-MASQ|KUBE-EXTERNAL-SERVICES|KUBE-FORWARD|KUBE-PROXY-FIREWALL|KUBE-FIREWALL) /;

/**
 * Full and partial restore sizes when the service ports named in `changed` (ServicePortName
 * strings) changed. Renders the rules, so call it per sync, not per packet.
 */
export function iptablesSyncWork(plan: IptablesPlan, changed: ReadonlySet<string>): SyncWork {
  const text = renderIptables(plan);
  let total = 0;
  let partial = 0;
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line;
    if (!line.startsWith('-A ')) continue;
    total++;
    if (table === '*filter' || ALWAYS.test(line)) partial++;
    else {
      // Service-chain rules name their service in a comment; uncommented ones (EXT's final
      // jump, large-cluster mode's endpoint rules) count as rewritten: an upper bound.
      const m = line.match(/--comment "?(?:masquerade traffic for |pod traffic for |masquerade LOCAL traffic for |route LOCAL traffic for )?([^" ]+)/);
      if (m === null || changed.has(m[1])) partial++;
    }
  }
  return { services: plan.order.length, changedServices: changed.size, totalRules: total, partialRules: partial };
}
