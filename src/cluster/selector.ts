// Equality-based label selectors (matchLabels, a Service's spec.selector) and an index that
// finds the pods a selector picks without scanning every pod, so 100k services stay linear.

import type { Labels, Pod } from './model.js';

export function selectorMatches(selector: Labels, labels: Labels): boolean {
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}

/** `app=nginx,tier=web`, keys sorted, `<none>` when empty: kubectl's labels.FormatLabels. */
export function formatLabels(labels: Labels | null): string {
  if (labels === null) return '<none>';
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels[k]}`).join(',');
}

export class PodIndex {
  private readonly byPair = new Map<string, Pod[]>();
  private readonly byNamespace = new Map<string, Pod[]>();

  constructor(pods: readonly Pod[]) {
    for (const pod of pods) {
      push(this.byNamespace, pod.namespace, pod);
      for (const key in pod.labels) push(this.byPair, pairKey(pod.namespace, key, pod.labels[key]), pod);
    }
  }

  /** Pods of `namespace` whose labels satisfy `selector`, in input order. */
  select(namespace: string, selector: Labels): Pod[] {
    const keys = Object.keys(selector);
    if (keys.length === 0) return [];
    // Start from the rarest pair: the candidates every other pair must filter.
    let best: readonly Pod[] | undefined;
    for (const key of keys) {
      const candidates = this.byPair.get(pairKey(namespace, key, selector[key])) ?? [];
      if (best === undefined || candidates.length < best.length) best = candidates;
    }
    return (best ?? []).filter((pod) => selectorMatches(selector, pod.labels));
  }

  inNamespace(namespace: string): readonly Pod[] {
    return this.byNamespace.get(namespace) ?? [];
  }
}

const pairKey = (namespace: string, key: string, value: string): string => `${namespace}\u0000${key}\u0000${value}`;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}
