// Whether a pod has a socket on a port: read from its containers' declared ports, the only
// record of what a container listens on that the objects carry.

import type { Pod, Protocol } from './model.js';

/**
 * Whether a connection to `port`/`protocol` on the pod finds a listener. A pod that declares no
 * container ports at all is taken to listen on any port: containerPort is informational
 * (core/v1 types.go, Container.Ports: "Not specifying a port here DOES NOT prevent that port from
 * being exposed"), so silence says nothing, while a declared list that lacks the port is the
 * targetPort mismatch of the NodePort troubleshooting guide.
 */
export function podListensOn(pod: Pod, port: number, protocol: Protocol): boolean {
  let declared = false;
  for (const c of pod.containers) {
    for (const p of c.ports) {
      declared = true;
      if (p.containerPort === port && p.protocol === protocol) return true;
    }
  }
  return !declared;
}
