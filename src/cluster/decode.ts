// Turns parsed manifest documents into the Kubernetes objects the simulator handles, checking
// kinds, names, required fields and types; every mistake is collected, then thrown as one InputError.
// Lists of every shape a dump comes in are opened: `v1 List`, typed lists of any group
// (`ServiceList`, `discovery.k8s.io/v1 EndpointSliceList`), raw API lists whose items carry no
// apiVersion or kind, `items: null`. Kinds the data path does not read are counted in one note.

import { decodeEndpoints, decodeEndpointSlice, decodeService, SERVICE_NAME_LABEL } from './decode-networking.js';
import { decodeDeployment, decodeNode, decodePod } from './decode-workloads.js';
import { FieldReader, type Json } from './decode-fields.js';
import type { DecodedDeployment, DecodedEndpoints, DecodedEndpointSlice, DecodedManifests, DecodedNode, DecodedPod, DecodedService, Source } from './decoded.js';
import type { ManifestDoc } from './manifest-doc.js';
import { InputError, type InputIssue } from '../input/problems.js';
import { didYouMean } from '../input/did-you-mean.js';
import { quote } from '../input/quote.js';
import { dns1035Label, dns1123Label, dns1123Subdomain } from './validate-names.js';

export type { DecodedDeployment, DecodedEndpoints, DecodedEndpointSlice, DecodedManifests, DecodedNode, DecodedPod, DecodedService, Source } from './decoded.js';

const HANDLED: Readonly<Record<string, string>> = {
  Node: 'v1',
  Pod: 'v1',
  Service: 'v1',
  Endpoints: 'v1',
  Deployment: 'apps/v1',
  EndpointSlice: 'discovery.k8s.io/v1',
};

/** metadata.name's rule per kind, as each kind's Validate* function in pkg/apis/core/validation applies it. */
const NAME_RULE: Readonly<Record<string, (name: string) => string | undefined>> = {
  Node: dns1123Subdomain,
  Pod: dns1123Subdomain,
  Service: dns1035Label,
  Endpoints: dns1123Subdomain,
  Deployment: dns1123Subdomain,
  EndpointSlice: dns1123Subdomain,
};

/** A core (built-in) API group, as opposed to a custom resource's `example.com/v1`. */
const isBuiltinApiVersion = (apiVersion: string): boolean => {
  const slash = apiVersion.indexOf('/');
  if (slash < 0) return true;
  const group = apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
};

interface Inherited {
  readonly apiVersion: string;
  readonly kind: string;
}

class Decoder {
  readonly nodes: DecodedNode[] = [];
  readonly pods: DecodedPod[] = [];
  readonly deployments: DecodedDeployment[] = [];
  readonly services: DecodedService[] = [];
  readonly endpointSlices: DecodedEndpointSlice[] = [];
  readonly endpoints: DecodedEndpoints[] = [];
  readonly notes: string[] = [];
  readonly issues: InputIssue[] = [];
  /** Kinds the simulator does not read, counted for one summary note. */
  private readonly skipped = new Map<string, number>();
  private readonly unusedSlices: string[] = [];

  document(md: ManifestDoc, value: unknown, prefix: string, inherited?: Inherited): void {
    const r = new FieldReader(md.file, `document ${md.index + 1}${prefix === '' ? '' : ` ${prefix.slice(0, -1)}`}`);
    const source: Source = { file: md.file, index: md.index };
    this.object(r, source, value, prefix, md, inherited);
    this.issues.push(...r.issues);
  }

  /** Every object the simulator leaves aside, in one sentence. */
  finish(): void {
    if (this.skipped.size > 0) {
      const kinds = [...this.skipped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const total = kinds.reduce((n, [, c]) => n + c, 0);
      // A kind one slip away from a handled one is most likely a typo: the note says so.
      const shown = kinds.map(([k, c]) => {
        const near = didYouMean(k, Object.keys(HANDLED));
        return near === null || near === k ? `${k} (${c})` : `${k} (${c}; did you mean ${near}?)`;
      });
      this.notes.push(`skipped ${total} object(s) the simulator does not use: ${shown.join(', ')}`);
    }
    if (this.unusedSlices.length > 0) {
      const shown = this.unusedSlices.slice(0, 5).join(', ') + (this.unusedSlices.length > 5 ? ', ...' : '');
      this.notes.push(`skipped ${this.unusedSlices.length} EndpointSlice(s) without a ${SERVICE_NAME_LABEL} label or of addressType FQDN: ${shown}`);
    }
  }

  private list(r: FieldReader, obj: Json, apiVersion: string, kind: string, prefix: string, md: ManifestDoc): void {
    // `items: null` is how the API writes an empty list.
    const items = obj.items === null ? [] : (r.list(obj.items, `${prefix}items`, true) ?? []);
    // A raw API list (`kubectl get --raw`, cluster-info dump) leaves apiVersion and kind off its
    // items: they are the list's own, less `List`. A `v1 List` mixes kinds, so its items must say.
    const inherited = kind === 'List' ? undefined : { apiVersion, kind: kind.slice(0, -'List'.length) };
    items.forEach((item, i) => this.document(md, item, `${prefix}items[${i}].`, inherited));
  }

  private object(r: FieldReader, source: Source, value: unknown, prefix: string, md: ManifestDoc, inherited?: Inherited): void {
    const obj = r.map(value, prefix === '' ? '' : prefix.slice(0, -1), true);
    if (obj === undefined) return;
    const apiVersion = inherited !== undefined && obj.apiVersion === undefined ? inherited.apiVersion : r.str(obj.apiVersion, `${prefix}apiVersion`, true);
    const kind = inherited !== undefined && obj.kind === undefined ? inherited.kind : r.str(obj.kind, `${prefix}kind`, true);
    if (apiVersion === undefined || kind === undefined) return;
    if (kind === 'List' || (kind.endsWith('List') && (obj.items === null || Array.isArray(obj.items)))) {
      this.list(r, obj, apiVersion, kind, prefix, md);
      return;
    }
    const wanted = HANDLED[kind];
    if (wanted === undefined) {
      // Custom resources and every built-in kind the data path does not read: noted, never an error.
      const key = isBuiltinApiVersion(apiVersion) ? kind : `${kind}.${apiVersion.split('/')[0]}`;
      this.skipped.set(key, (this.skipped.get(key) ?? 0) + 1);
      return;
    }
    this.handled(r, source, obj, apiVersion, kind, wanted, prefix);
  }

  private handled(r: FieldReader, source: Source, obj: Json, apiVersion: string, kind: string, wanted: string, p: string): void {
    const meta = r.map(obj.metadata, `${p}metadata`, true) ?? {};
    const name = r.str(meta.name, `${p}metadata.name`, false);
    const namespace = r.str(meta.namespace, `${p}metadata.namespace`) || 'default';
    r.object = kind === 'Node' ? `Node ${name ?? '<unnamed>'}` : `${kind} ${namespace}/${name ?? '<unnamed>'}`;
    if (name === undefined || name === '') r.fail(`${p}metadata.name`, 'Required value: name or generateName is required');
    else {
      const bad = NAME_RULE[kind](name);
      if (bad !== undefined) r.fail(`${p}metadata.name`, `Invalid value: ${quote(name)}: ${bad}`);
    }
    if (kind !== 'Node') {
      const badNamespace = dns1123Label(namespace);
      if (badNamespace !== undefined) r.fail(`${p}metadata.namespace`, `Invalid value: ${quote(namespace)}: ${badNamespace}`);
    }
    if (apiVersion !== wanted) {
      r.fail(`${p}apiVersion`, `unsupported apiVersion ${quote(apiVersion)} for kind ${kind}; expected ${wanted}`);
      return;
    }
    if (name === undefined || name === '') return;
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
      case 'Endpoints':
        this.endpoints.push(decodeEndpoints(r, source, p, obj, name, namespace));
        return;
      case 'EndpointSlice': {
        const slice = decodeEndpointSlice(r, source, p, obj, name, namespace);
        if (slice === undefined) this.unusedSlices.push(`${namespace}/${name}`);
        else this.endpointSlices.push(slice);
        return;
      }
    }
  }
}

/** Decodes every document; throws one InputError listing every problem found. */
export function decodeManifests(docs: readonly ManifestDoc[]): DecodedManifests {
  const decoder = new Decoder();
  for (const md of docs) decoder.document(md, md.doc, '');
  decoder.finish();
  if (decoder.issues.length > 0) throw new InputError(decoder.issues);
  return decoder;
}
