// A Deployment's RollingUpdate as the deployment controller paces it (pkg/controller/deployment/
// rolling.go): new pods up to replicas + maxSurge in all, old pods deleted while the available
// ones stay at replicas − maxUnavailable or more. Every new pod is ready `readyAfter` after it
// starts (minReadySeconds 0), so the rollout moves in waves. Pure: it returns the waves.

/** `maxSurge` / `maxUnavailable`: a pod count, or a percentage of the replicas ("25%"). */
export type IntOrPercent = number | string;

/** apps/v1 DeploymentStrategy defaults: maxSurge 25 %, maxUnavailable 25 %. */
export const DEFAULT_MAX_SURGE: IntOrPercent = '25%';
export const DEFAULT_MAX_UNAVAILABLE: IntOrPercent = '25%';

/** Whether a value is an IntOrPercent a Deployment accepts (a non-negative integer or "N%"). */
export const isIntOrPercent = (v: unknown): v is IntOrPercent =>
  (typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+%$/.test(v));

/** intstr.GetScaledValueFromIntOrPercent: a percentage of `total`, rounded up or down. */
export function scaled(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const exact = (Number.parseInt(value, 10) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * deploymentutil.ResolveFenceposts: maxSurge rounds up, maxUnavailable down, and when both come
 * to 0 maxUnavailable is 1 (else the rollout could never start).
 */
export function resolveFenceposts(maxSurge: IntOrPercent, maxUnavailable: IntOrPercent, replicas: number): { surge: number; unavailable: number } {
  const surge = scaled(maxSurge, replicas, true);
  const unavailable = scaled(maxUnavailable, replicas, false);
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

/** One step of the rollout, `wave` readiness periods after it began: pods created and old pods deleted. */
export interface RolloutWave {
  readonly wave: number;
  readonly create: number;
  readonly remove: number;
}

/**
 * The waves of a rollout of `replicas` pods. In each, the controller scales the new ReplicaSet up
 * (reconcileNewReplicaSet: to at most replicas + surge pods in all) and the old one down
 * (reconcileOldReplicaSets: available − (replicas − unavailable) at most), again until neither
 * moves (each deletion frees room for a new pod); the next wave comes when the new pods are ready.
 * Deleted pods count no more (terminating pods leave the ReplicaSet's replicas).
 */
export function rolloutWaves(replicas: number, surge: number, unavailable: number): RolloutWave[] {
  const waves: RolloutWave[] = [];
  let old = replicas;
  let created = 0;
  let ready = 0;
  for (let wave = 0; old > 0 || created < replicas; wave++) {
    let create = 0;
    let remove = 0;
    for (;;) {
      const up = Math.max(0, Math.min(replicas + surge - (old + created), replicas - created));
      const down = Math.max(0, Math.min(old, old + ready - (replicas - unavailable)));
      if (up === 0 && down === 0) break;
      created += up;
      old -= down;
      create += up;
      remove += down;
    }
    if (create === 0 && remove === 0 && ready === created) throw new Error(`rolloutWaves: stuck at ${old} old, ${created} new of ${replicas}`);
    waves.push({ wave, create, remove });
    ready = created;
  }
  return waves;
}
