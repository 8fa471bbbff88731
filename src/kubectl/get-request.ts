// What `get` was asked for, read as kubectl's resource builder reads its arguments:
// `svc`, `svc,pods` (several types), `svc NAME...` (names of every listed type) or
// `svc/NAME pod/NAME...`; and the objects of a cluster that answer it.

import type { Cluster } from '../cluster/model.js';
import { inScope, type ViewOptions } from './get-tables.js';
import { type LabelSelector, matchesLabelSelector } from './label-selector.js';
import { labelsOf, RESOURCE_NAMES, RESOURCE_TYPES, type ResourceItem, type ResourceType } from './resources.js';

export interface GetRequest {
  /** Each type once, in the order asked. */
  readonly types: readonly ResourceType[];
  /** Named objects in the order asked; undefined lists every object of the types. */
  readonly names?: readonly { readonly type: ResourceType; readonly name: string }[];
  /** One named object: -o json|yaml print it alone, not in a List. */
  readonly singleItem: boolean;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

function resourceType(word: string): ResourceType | string {
  return RESOURCE_NAMES[word.toLowerCase()] ?? `the server doesn't have a resource type "${word}" (expected nodes, pods, svc, endpoints, endpointslices or deployments)`;
}

const isType = (t: ResourceType | string): t is ResourceType => (RESOURCE_TYPES as readonly string[]).includes(t);

export function parseGetArguments(args: readonly string[], hasSelector: boolean): Parsed<GetRequest> {
  if (args.length === 0) return { ok: false, message: 'You must specify the type of resource to get (nodes, pods, svc, endpoints, endpointslices or deployments)' };
  if (args[0].includes('/')) {
    const names: { type: ResourceType; name: string }[] = [];
    for (const arg of args) {
      const slash = arg.indexOf('/');
      if (slash < 0) return { ok: false, message: `arguments in resource/name form must have a single resource and name, not "${arg}"` };
      const type = resourceType(arg.slice(0, slash));
      if (!isType(type)) return { ok: false, message: type };
      const name = arg.slice(slash + 1);
      if (name === '' || name.includes('/')) return { ok: false, message: `arguments in resource/name form must have a single resource and name, not "${arg}"` };
      names.push({ type, name });
    }
    if (hasSelector) return { ok: false, message: 'selectors and the all flag cannot be used when passing resource/name arguments' };
    return { ok: true, value: { types: [...new Set(names.map((n) => n.type))], names, singleItem: names.length === 1 } };
  }
  const types: ResourceType[] = [];
  for (const word of args[0].split(',')) {
    const type = resourceType(word);
    if (!isType(type)) return { ok: false, message: type };
    if (!types.includes(type)) types.push(type);
  }
  const rest = args.slice(1);
  if (rest.some((a) => a.includes('/'))) {
    return { ok: false, message: "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'get resource/<resource_name>' instead of 'get resource resource/<resource_name>')" };
  }
  if (rest.length === 0) return { ok: true, value: { types, singleItem: false } };
  if (hasSelector) return { ok: false, message: 'name cannot be provided when a selector is specified' };
  const names = types.flatMap((type) => rest.map((name) => ({ type, name })));
  return { ok: true, value: { types, names, singleItem: names.length === 1 } };
}

export interface GetAnswer {
  /** Found objects, grouped by type in the order the types were asked. */
  readonly items: readonly ResourceItem[];
  /** kubectl's NotFound line for each name that matched nothing. */
  readonly notFound: readonly string[];
}

export function answerGet(cluster: Cluster, request: GetRequest, options: ViewOptions, selector: LabelSelector): GetAnswer {
  const items: ResourceItem[] = [];
  const notFound: string[] = [];
  for (const type of request.types) {
    const candidates = inScope(cluster, type, options);
    if (request.names === undefined) {
      items.push(...candidates.filter((item) => matchesLabelSelector(selector, labelsOf(item))));
      continue;
    }
    for (const { name } of request.names.filter((n) => n.type === type)) {
      const item = candidates.find((c) => c.object.name === name);
      if (item === undefined) notFound.push(`Error from server (NotFound): ${type} "${name}" not found`);
      else items.push(item);
    }
  }
  return { items, notFound };
}
