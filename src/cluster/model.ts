// The Kubernetes objects the simulator understands, as plain readonly data.
// Field names follow the Kubernetes API so a reader can map them to `kubectl get -o yaml`.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export type TrafficPolicy = 'Cluster' | 'Local';
export type SessionAffinity = 'None' | 'ClientIP';
export type Labels = Readonly<Record<string, string>>;

/**
 * The largest cluster Kubernetes supports ("no more than 5,000 nodes": Considerations for large
 * clusters, kubernetes.io/docs/setup/best-practices/cluster-large/). The builder and the
 * experiment file's `cluster.nodes` check both read this one limit.
 */
export const MAX_NODES = 5000;

/** sessionAffinityConfig.clientIP.timeoutSeconds when unset (3 h, the API default). */
export const DEFAULT_AFFINITY_TIMEOUT_S = 10_800;

export interface Node {
  readonly name: string;
  /** status.addresses[type=InternalIP] */
  readonly ip: string;
  /** metadata.labels["topology.kubernetes.io/zone"], or '' when unlabelled. */
  readonly zone: string;
  readonly ready: boolean;
  /** From `node-role.kubernetes.io/<role>` labels; shown by `get nodes`. */
  readonly roles?: readonly string[];
  /** status.nodeInfo.kubeletVersion; shown by `get nodes`. */
  readonly kubeletVersion?: string;
  /** status.allocatable.cpu in millicores (topology hints share endpoints by it); unset counts as 1000 (not decoded yet). */
  readonly allocatableCpuMilli?: number;
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

export interface Container {
  readonly name: string;
  readonly ports: readonly ContainerPort[];
  readonly hasReadinessProbe: boolean;
}

export interface Pod {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  /** spec.nodeName */
  readonly nodeName: string;
  /** status.podIP */
  readonly ip: string;
  /** status.conditions[type=Ready] */
  readonly ready: boolean;
  readonly containers: readonly Container[];
  /** The Deployment that owns the pod, when it was generated from one. */
  readonly owner?: string;
  /** kubectl's STATUS column (`Running`, `CrashLoopBackOff`, ...); `Running` when absent. */
  readonly status?: string;
  /** Sum of status.containerStatuses[].restartCount. */
  readonly restarts?: number;
}

export interface Deployment {
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly selector: Labels;
  readonly templateLabels: Labels;
  readonly containers: readonly Container[];
}

export interface ServicePort {
  /** Empty for a single unnamed port. */
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
  /** A number, or the name of a container port resolved per pod. */
  readonly targetPort: number | string;
  /** Allocated or given; absent for ClusterIP services. */
  readonly nodePort?: number;
}

export interface Service {
  readonly namespace: string;
  readonly name: string;
  readonly type: ServiceType;
  readonly clusterIP: string;
  /** null: no selector (endpoints are managed by hand). */
  readonly selector: Labels | null;
  readonly ports: readonly ServicePort[];
  readonly externalTrafficPolicy: TrafficPolicy;
  readonly healthCheckNodePort?: number;
  readonly sessionAffinity: SessionAffinity;
  readonly sessionAffinityTimeoutS: number;
  readonly externalIPs: readonly string[];
  readonly labels?: Labels;
  readonly annotations?: Labels;
  /** spec.trafficDistribution (PreferClose: zone hints on every ready endpoint). */
  readonly trafficDistribution?: string;
}

/** One address of an EndpointSlice (discovery.k8s.io/v1). */
export interface Endpoint {
  readonly ip: string;
  readonly nodeName: string;
  /** conditions.ready (nil counts as true, as kube-proxy reads it). */
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  /** targetRef name, when it points at a pod. */
  readonly podName?: string;
  /** hints.forZones names; unset when the endpoint has no hints. */
  readonly zoneHints?: readonly string[];
}

export interface EndpointSlicePort {
  readonly name: string;
  readonly protocol: Protocol;
  readonly port: number;
}

export interface EndpointSlice {
  readonly namespace: string;
  readonly name: string;
  /** metadata.labels["kubernetes.io/service-name"] */
  readonly serviceName: string;
  /** IPv4 when absent. */
  readonly addressType?: 'IPv4' | 'IPv6';
  readonly ports: readonly EndpointSlicePort[];
  readonly endpoints: readonly Endpoint[];
}

export interface Cluster {
  readonly nodes: readonly Node[];
  readonly pods: readonly Pod[];
  readonly deployments: readonly Deployment[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
}

export const serviceKey = (s: { readonly namespace: string; readonly name: string }): string =>
  `${s.namespace}/${s.name}`;
