// Where clients run and what they call: outside the cluster through a node's nodePort (the
// default), or inside it, as pods or as host-network processes on chosen nodes, calling a node's
// nodePort, the Service's ClusterIP, or 127.0.0.1:nodePort.

/**
 * external: hosts outside the cluster, through the ingress. pod: pods with addresses from their
 * node's pod subnet. host: processes in the node's network namespace, whose packets leave from the
 * node's own address (kube-proxy's `--src-type LOCAL`).
 */
export type TrafficSource = 'external' | 'pod' | 'host';
export const TRAFFIC_SOURCES: readonly TrafficSource[] = ['external', 'pod', 'host'];

/**
 * node-port: a node's InternalIP on the nodePort (external clients: the node the ingress picks;
 * in-cluster clients: their own node). node-port-other-node: the next node's InternalIP, in node
 * order. cluster-ip: the Service's ClusterIP on its port. localhost-node-port: 127.0.0.1 on the
 * nodePort, from a host process.
 */
export type ClientDestination = 'node-port' | 'node-port-other-node' | 'cluster-ip' | 'localhost-node-port';
export const CLIENT_DESTINATIONS: readonly ClientDestination[] = ['node-port', 'node-port-other-node', 'cluster-ip', 'localhost-node-port'];

/** What is wrong with a source and destination pair, or null: the pairs the model has a path for. */
export function destinationProblem(source: TrafficSource, to: ClientDestination): string | null {
  if (source === 'external' && to !== 'node-port') return `${to} is reached from inside the cluster only: set traffic.source to pod or host, or traffic.destination to node-port`;
  if (to === 'localhost-node-port' && source !== 'host') return 'localhost-node-port is called from the node itself: set traffic.source to host';
  return null;
}
