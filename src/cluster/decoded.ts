// The objects the decoder hands on: each Kubernetes kind the simulator reads, as plain data
// that remembers the file and document it came from.

import type { Container, Deployment, EndpointSlice, Labels, ServicePort, ServiceType } from './model.js';

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
  readonly healthCheckNodePort?: number;
  readonly sessionAffinity: 'None' | 'ClientIP';
  readonly sessionAffinityTimeoutS: number;
  readonly externalIPs: readonly string[];
  /** spec.allocateLoadBalancerNodePorts (LoadBalancer only; default true). */
  readonly allocateLoadBalancerNodePorts: boolean;
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
  /** Objects skipped on purpose, one sentence each. */
  readonly notes: readonly string[];
}
