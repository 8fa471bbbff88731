// The objects the decoder hands on: each Kubernetes kind the simulator reads, as plain data
// that remembers the file and document it came from.

import type { Container, Deployment, Endpoint, EndpointSlice, EndpointSlicePort, IPFamily, Labels, LoadBalancerIngress, ServicePort, ServiceType } from './model.js';

export interface Source {
  readonly file: string;
  readonly index: number;
}

export interface DecodedNode {
  readonly source: Source;
  readonly name: string;
  readonly ip?: string;
  readonly zone?: string;
  readonly ready: boolean;
  readonly roles: readonly string[];
  readonly kubeletVersion?: string;
  readonly osImage?: string;
  readonly kernelVersion?: string;
  readonly containerRuntime?: string;
  readonly podCIDR?: string;
  readonly labels: Labels;
  readonly createdAt?: string;
}

export interface DecodedPod {
  readonly source: Source;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly nodeName?: string;
  readonly ip?: string;
  readonly ready: boolean;
  readonly containers: readonly Container[];
  readonly status: string;
  readonly restarts: number;
  readonly hostNetwork: boolean;
  readonly ownerKind?: string;
  readonly ownerName?: string;
  /** status.phase; undefined when the pod has no status at all (written by hand). */
  readonly phase?: string;
  readonly createdAt?: string;
}

export interface DecodedDeployment extends Deployment {
  readonly source: Source;
}

export interface DecodedService {
  readonly source: Source;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly annotations: Labels;
  readonly trafficDistribution?: string;
  readonly type: ServiceType;
  readonly clusterIP?: string;
  readonly selector: Labels | null;
  readonly ports: readonly ServicePort[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** spec.internalTrafficPolicy, only when Local (Cluster, the API default, is left out). */
  readonly internalTrafficPolicy?: 'Local';
  readonly healthCheckNodePort?: number;
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly sessionAffinityTimeoutS: number;
  readonly externalIPs: readonly string[];
  /** spec.allocateLoadBalancerNodePorts (LoadBalancer only; default true). */
  readonly allocateLoadBalancerNodePorts: boolean;
  readonly externalName?: string;
  readonly loadBalancerIngress: readonly LoadBalancerIngress[];
  /** spec.loadBalancerSourceRanges, trimmed; absent when empty. */
  readonly loadBalancerSourceRanges?: readonly string[];
  readonly clusterIPs: readonly string[];
  readonly ipFamilies: readonly IPFamily[];
  readonly ipFamilyPolicy?: string;
  readonly createdAt?: string;
}

/** One subset of a v1 Endpoints object: its addresses share its ports. */
export interface DecodedEndpointsSubset {
  readonly ports: readonly EndpointSlicePort[];
  /** addresses (ready) then notReadyAddresses (ready: false). */
  readonly endpoints: readonly Endpoint[];
}

/** A v1 Endpoints object; only mirrored into slices for a service without a selector. */
export interface DecodedEndpoints {
  readonly source: Source;
  readonly namespace: string;
  readonly name: string;
  readonly subsets: readonly DecodedEndpointsSubset[];
}

export interface DecodedEndpointSlice extends EndpointSlice {
  readonly source: Source;
}

export interface DecodedManifests {
  readonly nodes: readonly DecodedNode[];
  readonly pods: readonly DecodedPod[];
  readonly deployments: readonly DecodedDeployment[];
  readonly services: readonly DecodedService[];
  readonly endpointSlices: readonly DecodedEndpointSlice[];
  readonly endpoints: readonly DecodedEndpoints[];
  /** Objects skipped on purpose, one sentence each. */
  readonly notes: readonly string[];
}
