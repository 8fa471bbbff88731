// The load balancer's view of each node when it health-checks them (HAProxy's fall/rise): a node
// leaves rotation after `fall` failed probes in a row and returns after `rise` good ones.

export interface HealthCheckConfig {
  readonly intervalS: number;
  readonly fall: number;
  readonly rise: number;
}

/** HAProxy's defaults: `inter 2s fall 3 rise 2`. */
export const DEFAULT_HEALTH_CHECK: HealthCheckConfig = { intervalS: 2, fall: 3, rise: 2 };

export class HealthChecks {
  private readonly streak: Int32Array;

  constructor(
    private readonly inService: Uint8Array,
    private readonly cfg: HealthCheckConfig,
  ) {
    this.streak = new Int32Array(inService.length);
  }

  /** Records one probe of `node`; returns true when the node's rotation state changed. */
  probe(node: number, healthy: boolean): boolean {
    const up = this.inService[node] === 1;
    if (healthy === up) {
      this.streak[node] = 0;
      return false;
    }
    this.streak[node]++;
    if (this.streak[node] < (up ? this.cfg.fall : this.cfg.rise)) return false;
    this.inService[node] = up ? 0 : 1;
    this.streak[node] = 0;
    return true;
  }
}
