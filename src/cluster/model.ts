// The Kubernetes objects the simulator understands, as plain readonly data.
// Field names follow the Kubernetes API so a reader can map them to `kubectl get -o yaml`.

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
export type IPFamily = 'IPv4' | 'IPv6';
export type TrafficPolicy = 'Cluster' | 'Local';
export type SessionAffinity = 'None' | 'ClientIP';
export type Labels = Readonly<Record<string, string>>;

/**
 * The largest cluster Kubernetes supports ("no more than 5,000 nodes": Considerations for large
 * clusters, kubernetes.io/docs/setup/best-practices/cluster-large/). The builder and the
 * experiment file's `cluster.nodes` check both read this one limit.
 */
export const MAX_NODES = 5000;
/** The largest pod count Kubernetes is tested at ("no more than 150,000 total pods", same page). */
export const MAX_PODS = 150_000;

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
  /** status.nodeInfo.osImage, kernelVersion, containerRuntimeVersion: `get nodes -o wide`. */
  readonly osImage?: string;
  readonly kernelVersion?: string;
  readonly containerRuntime?: string;
  /** spec.podCIDR, when the node carries one. */
  readonly podCIDR?: string;
  readonly labels?: Labels;
  /** metadata.creationTimestamp (RFC 3339), for AGE. */
  readonly createdAt?: string;
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
  /** spec.nodeName; '' for a pod not scheduled yet. */
  readonly nodeName: string;
  /** status.podIP; '' for a pod that has none yet (Pending): such a pod is never an endpoint. */
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
  /** spec.hostNetwork: the pod's IP is its node's. */
  readonly hostNetwork?: boolean;
  /** Kind and name of the controlling ownerReference (ReplicaSet, DaemonSet, StatefulSet, Job, Node). */
  readonly ownerKind?: string;
  readonly ownerName?: string;
  /** status.phase as given (Pending, Running, Succeeded, Failed); absent for hand-written pods. */
  readonly phase?: string;
  /** metadata.creationTimestamp (RFC 3339), for AGE. */
  readonly createdAt?: string;
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
  /** spec.internalTrafficPolicy for ClusterIP traffic; absent means Cluster, the API default. */
  readonly internalTrafficPolicy?: TrafficPolicy;
  readonly healthCheckNodePort?: number;
  readonly sessionAffinity: SessionAffinity;
  readonly sessionAffinityTimeoutS: number;
  readonly externalIPs: readonly string[];
  readonly labels?: Labels;
  readonly annotations?: Labels;
  /** spec.trafficDistribution (PreferClose: zone hints on every ready endpoint). */
  readonly trafficDistribution?: string;
  /** spec.externalName of an ExternalName service (a DNS name; no proxy rules). */
  readonly externalName?: string;
  /** status.loadBalancer.ingress: what the cloud's load balancer answers on. */
  readonly loadBalancerIngress?: readonly LoadBalancerIngress[];
  /** spec.loadBalancerSourceRanges: the sources kube-proxy lets reach the load-balancer address. */
  readonly loadBalancerSourceRanges?: readonly string[];
  /** spec.clusterIPs when given (dual-stack: one per family, clusterIP first). */
  readonly clusterIPs?: readonly string[];
  readonly ipFamilies?: readonly IPFamily[];
  readonly ipFamilyPolicy?: string;
  /** metadata.creationTimestamp (RFC 3339), for AGE. */
  readonly createdAt?: string;
}

export interface LoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
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
  readonly addressType?: IPFamily;
  readonly ports: readonly EndpointSlicePort[];
  readonly endpoints: readonly Endpoint[];
  /** Set on slices the simulator derived from pods, as opposed to ones the input holds. */
  readonly derived?: boolean;
}

/** The address ranges the cluster allocates from, as configured or as inferred from the input. */
export interface AddressRanges {
  /** kube-apiserver --service-cluster-ip-range. */
  readonly serviceCIDR: string;
  /** kube-controller-manager --cluster-cidr. */
  readonly podCIDR: string;
  /** The nodes' network. */
  readonly nodeCIDR: string;
  /** kube-apiserver --service-node-port-range. */
  readonly nodePortRange: string;
  /** Which ranges were inferred from the addresses in the input rather than set or defaulted. */
  readonly inferred: readonly ('serviceCIDR' | 'podCIDR' | 'nodeCIDR')[];
}

export interface Cluster {
  readonly nodes: readonly Node[];
  readonly pods: readonly Pod[];
  readonly deployments: readonly Deployment[];
  readonly services: readonly Service[];
  readonly endpointSlices: readonly EndpointSlice[];
  /** Set by the builder; shown by `describe` and `--verbose`. */
  readonly ranges?: AddressRanges;
}

export const serviceKey = (s: { readonly namespace: string; readonly name: string }): string =>
  `${s.namespace}/${s.name}`;
