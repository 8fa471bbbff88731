// kubectl's AGE column: the time since an object's creationTimestamp, in kubectl's words
// (k8s.io/apimachinery/pkg/util/duration.HumanDuration). "Now" is the newest timestamp the input
// holds unless the user gives one (--now), so the same dump always prints the same table.

import type { Cluster } from '../cluster/model.js';

/** kubectl's word for an object without a creationTimestamp. */
export const UNKNOWN_AGE = '<unknown>';

/** HumanDuration: `45s`, `5m30s`, `3h10m`, `2d4h`, `1y30d`, as the apimachinery function rounds them. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24) % 365;
    return days === 0 ? `${Math.trunc(hours / 24 / 365)}y` : `${Math.trunc(hours / 24 / 365)}y${days}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

const timestampCache = new WeakMap<Cluster, number | undefined>();

/** The newest creationTimestamp of any object in the cluster, in ms; undefined when none has one. */
export function newestTimestamp(cluster: Cluster): number | undefined {
  if (timestampCache.has(cluster)) return timestampCache.get(cluster);
  let newest: number | undefined;
  for (const list of [cluster.nodes, cluster.pods, cluster.services] as const) {
    for (const o of list) {
      const t = o.createdAt === undefined ? Number.NaN : Date.parse(o.createdAt);
      if (!Number.isNaN(t) && (newest === undefined || t > newest)) newest = t;
    }
  }
  timestampCache.set(cluster, newest);
  return newest;
}

/** The AGE cell of an object created at `createdAt`, seen at `now` (ms). */
export function ageOf(createdAt: string | undefined, now: number | undefined): string {
  if (createdAt === undefined || now === undefined) return UNKNOWN_AGE;
  const t = Date.parse(createdAt);
  return Number.isNaN(t) ? UNKNOWN_AGE : humanDuration(now - t);
}
