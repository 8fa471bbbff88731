// Turns parsed manifest documents into the Kubernetes objects the simulator handles, checking
// kinds, required fields and types; every mistake is collected, then thrown as one InputError.

import { decodeEndpointSlice, decodeService, SERVICE_NAME_LABEL } from './decode-networking.js';
import { decodeDeployment, decodeNode, decodePod } from './decode-workloads.js';
import { FieldReader, type Json } from './decode-fields.js';
import type { DecodedDeployment, DecodedEndpointSlice, DecodedManifests, DecodedNode, DecodedPod, DecodedService, Source } from './decoded.js';
import type { ManifestDoc } from './manifest-doc.js';
import { InputError, type InputIssue } from '../input/problems.js';

export type { DecodedDeployment, DecodedEndpointSlice, DecodedManifests, DecodedNode, DecodedPod, DecodedService, Source } from './decoded.js';

const HANDLED: Readonly<Record<string, string>> = {
  Node: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  EndpointSlice: 'discovery.k8s.io/v1',
};

/** Built-in kinds that carry nothing the NodePort data path needs. */
const SKIPPED = new Set([
  'APIService', 'Binding', 'ClusterRole', 'ClusterRoleBinding', 'ComponentStatus', 'ConfigMap',
  'ControllerRevision', 'CronJob', 'CSIDriver', 'CSINode', 'CustomResourceDefinition', 'DaemonSet',
  'Endpoints', 'Event', 'HorizontalPodAutoscaler', 'Ingress', 'IngressClass', 'Job', 'Lease',
  'LimitRange', 'MutatingWebhookConfiguration', 'Namespace', 'NetworkPolicy', 'PersistentVolume',
  'PersistentVolumeClaim', 'PodDisruptionBudget', 'PodTemplate', 'PriorityClass', 'ReplicaSet',
  'ReplicationController', 'ResourceQuota', 'Role', 'RoleBinding', 'RuntimeClass', 'Secret',
  'ServiceAccount', 'StatefulSet', 'StorageClass', 'ValidatingWebhookConfiguration',
  'VolumeAttachment',
]);

/** A core (built-in) API group, as opposed to a custom resource's `example.com/v1`. */
const isBuiltinApiVersion = (apiVersion: string): boolean => {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return true;
  const group = apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
};

class Decoder {
  readonly nodes: DecodedNode[] = [];
  readonly pods: DecodedPod[] = [];
  readonly deployments: DecodedDeployment[] = [];
  readonly services: DecodedService[] = [];
  readonly endpointSlices: DecodedEndpointSlice[] = [];
  readonly notes: string[] = [];
  readonly issues: InputIssue[] = [];

  document(md: ManifestDoc, value: unknown, prefix: string): void {
    const r = new FieldReader(md.file, `document ${md.index + 1}${prefix === '' ? '' : ` ${prefix.slice(0, -1)}`}`);
    const source: Source = { file: md.file, index: md.index };
    this.object(r, source, value, prefix, md);
    this.issues.push(...r.issues);
  }

  private object(r: FieldReader, source: Source, value: unknown, prefix: string, md: ManifestDoc): void {
    const obj = r.map(value, prefix === '' ? '' : prefix.slice(0, -1), true);
    if (obj === undefined) return;
    const apiVersion = r.str(obj.apiVersion, `${prefix}apiVersion`, true);
    const kind = r.str(obj.kind, `${prefix}kind`, true);
    if (apiVersion === undefined || kind === undefined) return;

    if (kind === 'List' || (kind.endsWith('List') && kind !== 'List' && apiVersion === 'v1')) {
      const items = r.list(obj.items, `${prefix}items`, true) ?? [];
      items.forEach((item, i) => this.document(md, item, `${prefix}items[${i}].`));
      return;
    }
    const wanted = HANDLED[kind];
    if (wanted === undefined) {
      if (SKIPPED.has(kind)) this.notes.push(`${md.file}: skipped ${kind} ${nameOf(obj)} (not used by the simulator)`);
      else if (!isBuiltinApiVersion(apiVersion)) {
        this.notes.push(`${md.file}: skipped custom resource ${apiVersion} ${kind} ${nameOf(obj)}`);
      } else {
        r.fail(`${prefix}kind`, `unknown kind "${kind}" for apiVersion ${apiVersion}; expected one of ${Object.keys(HANDLED).join(', ')}, List, or a built-in kind to skip`);
      }
      return;
    }
    const meta = r.map(obj.metadata, `${prefix}metadata`, true) ?? {};
    const name = r.str(meta.name, `${prefix}metadata.name`, false);
    const namespace = r.str(meta.namespace, `${prefix}metadata.namespace`) ?? 'default';
    r.object = kind === 'Node' ? `Node ${name ?? '<unnamed>'}` : `${kind} ${namespace}/${name ?? '<unnamed>'}`;
    if (name === undefined || name === '') r.fail(`${prefix}metadata.name`, 'Required value: expected a string');
    if (apiVersion !== wanted) {
      r.fail(`${prefix}apiVersion`, `unsupported apiVersion "${apiVersion}" for kind ${kind}; expected ${wanted}`);
      return;
    }
    if (name === undefined) return;
    const p = prefix;
    switch (kind) {
      case 'Node':
        this.nodes.push(decodeNode(r, source, p, obj, name));
        return;
      case 'Pod':
        this.pods.push(decodePod(r, source, p, obj, name, namespace));
        return;
      case 'Deployment':
        this.deployments.push(decodeDeployment(r, source, p, obj, name, namespace));
        return;
      case 'Service':
        this.services.push(decodeService(r, source, p, obj, name, namespace));
        return;
      case 'EndpointSlice': {
        const slice = decodeEndpointSlice(r, source, p, obj, name, namespace);
        if (slice === undefined) this.notes.push(`${md.file}: skipped ${r.object} (no ${SERVICE_NAME_LABEL} label, or not IPv4/IPv6)`);
        else this.endpointSlices.push(slice);
        return;
      }
    }
  }
}

function nameOf(obj: Json): string {
  const meta = obj.metadata as Json | undefined;
  const name = typeof meta?.name === 'string' ? meta.name : '<unnamed>';
  return typeof meta?.namespace === 'string' ? `${meta.namespace}/${name}` : name;
}
/** Decodes every document; throws one InputError listing every problem found. */
export function decodeManifests(docs: readonly ManifestDoc[]): DecodedManifests {
  const decoder = new Decoder();
  for (const md of docs) decoder.document(md, md.doc, '');
  if (decoder.issues.length > 0) throw new InputError(decoder.issues);
  return decoder;
}
