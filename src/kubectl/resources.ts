// The resource types `get` lists, kubectl's names for them, and the objects of each type a
// cluster holds. An Endpoints object is the one the Endpoints controller mirrors from a Service,
// so it is listed by its service.

import { slicesOf } from '../cluster/endpoint-slices.js';
import type { Cluster, Deployment, EndpointSlice, Labels, Node, Pod, Service } from '../cluster/model.js';

export type ResourceType = 'nodes' | 'pods' | 'services' | 'endpoints' | 'endpointslices' | 'deployments';
export const RESOURCE_TYPES: readonly ResourceType[] = ['nodes', 'pods', 'services', 'endpoints', 'endpointslices', 'deployments'];

/** kubectl's names, singular names and short names for each type. */
export const RESOURCE_NAMES: Readonly<Record<string, ResourceType>> = {
  nodes: 'nodes',
  node: 'nodes',
  no: 'nodes',
  pods: 'pods',
  pod: 'pods',
  po: 'pods',
  services: 'services',
  service: 'services',
  svc: 'services',
  endpoints: 'endpoints',
  ep: 'endpoints',
  endpointslices: 'endpointslices',
  endpointslice: 'endpointslices',
  'endpointslices.discovery.k8s.io': 'endpointslices',
  deployments: 'deployments',
  deployment: 'deployments',
  deploy: 'deployments',
  'deployments.apps': 'deployments',
};

/** `-o name`'s and a mixed table's prefix: the lower-case kind (`service/nginx`). */
export const SINGULAR: Readonly<Record<ResourceType, string>> = {
  nodes: 'node',
  pods: 'pod',
  services: 'service',
  endpoints: 'endpoints',
  // Kinds outside the core group are named with their group, as kubectl -o name prints them.
  endpointslices: 'endpointslice.discovery.k8s.io',
  deployments: 'deployment.apps',
};

export type ResourceItem =
  | { readonly type: 'nodes'; readonly object: Node }
  | { readonly type: 'pods'; readonly object: Pod }
  | { readonly type: 'services'; readonly object: Service }
  | { readonly type: 'endpoints'; readonly object: Service }
  | { readonly type: 'endpointslices'; readonly object: EndpointSlice }
  | { readonly type: 'deployments'; readonly object: Deployment };

/** Nodes are cluster-scoped: they have no namespace. */
export const namespaceOf = (item: ResourceItem): string | undefined => (item.type === 'nodes' ? undefined : item.object.namespace);

const ZONE_LABEL = 'topology.kubernetes.io/zone';
const ROLE_PREFIX = 'node-role.kubernetes.io/';

/** A node's labels as the input gives them; for a generated node, its zone and its roles. */
export function nodeLabels(node: Node): Labels {
  if (node.labels !== undefined) return node.labels;
  const labels: Record<string, string> = {};
  for (const role of node.roles ?? []) labels[`${ROLE_PREFIX}${role}`] = '';
  if (node.zone !== '') labels[ZONE_LABEL] = node.zone;
  return labels;
}

/** The labels a slice's controller sets: the service it belongs to and who manages it. */
export const sliceLabels = (slice: EndpointSlice): Labels => ({
  'kubernetes.io/service-name': slice.serviceName,
  ...(slice.derived === true ? { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } : {}),
});

/** The controller copies a service's labels onto its Endpoints object. */
export function labelsOf(item: ResourceItem): Labels {
  switch (item.type) {
    case 'nodes':
      return nodeLabels(item.object);
    case 'pods':
      return item.object.labels;
    case 'services':
    case 'endpoints':
      return item.object.labels ?? {};
    case 'endpointslices':
      return sliceLabels(item.object);
    case 'deployments':
      return {};
  }
}

const byKey = (a: { namespace?: string; name: string }, b: { namespace?: string; name: string }): number => {
  const ka = a.namespace ?? '';
  const kb = b.namespace ?? '';
  if (ka !== kb) return ka < kb ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
};

/**
 * Every object of `type` in every namespace, in the order the apiserver lists them: by namespace,
 * then name (its storage keys are `<namespace>/<name>`, listed in key order).
 */
export function itemsOf(cluster: Cluster, type: ResourceType): ResourceItem[] {
  switch (type) {
    case 'nodes':
      return [...cluster.nodes].sort(byKey).map((object) => ({ type, object }));
    case 'pods':
      return [...cluster.pods].sort(byKey).map((object) => ({ type, object }));
    case 'services':
      return [...cluster.services].sort(byKey).map((object) => ({ type, object }));
    case 'endpoints':
      // The Endpoints controller mirrors every service with a selector; selector-less ones only if slices exist.
      return [...cluster.services]
        .sort(byKey)
        .filter((s) => s.type !== 'ExternalName' && (s.selector !== null || slicesOf(cluster, s).length > 0))
        .map((object) => ({ type, object }));
    case 'endpointslices':
      return [...cluster.endpointSlices].sort(byKey).map((object) => ({ type, object }));
    case 'deployments':
      return [...cluster.deployments].sort(byKey).map((object) => ({ type, object }));
  }
}
