// `get`'s answer in the format asked: tables (plain or -o wide), -o name, -o json, -o yaml.
// Several types give one table each, a blank line apart, with NAME as `type/name`, as kubectl
// prints `get svc,pods`.

import type { Cluster } from '../cluster/model.js';
import { apiObject } from './api-objects.js';
import { formatGetTable, noResourcesFound, type ViewOptions } from './get-tables.js';
import type { GetAnswer, GetRequest } from './get-request.js';
import { formatJson, formatYaml, listObject } from './print-objects.js';
import { type ResourceItem, type ResourceType, SINGULAR } from './resources.js';

export const GET_OUTPUTS = ['wide', 'name', 'json', 'yaml'] as const;
export type GetOutput = (typeof GET_OUTPUTS)[number];

export interface GetText {
  readonly stdout: string;
  /** kubectl's notes and errors: NotFound lines, `No resources found`. */
  readonly stderr: string;
}

function byType(items: readonly ResourceItem[]): Map<ResourceType, ResourceItem[]> {
  const groups = new Map<ResourceType, ResourceItem[]>();
  for (const item of items) {
    const group = groups.get(item.type);
    if (group === undefined) groups.set(item.type, [item]);
    else group.push(item);
  }
  return groups;
}

function body(cluster: Cluster, request: GetRequest, answer: GetAnswer, output: GetOutput | undefined, options: ViewOptions): string {
  const { items } = answer;
  switch (output) {
    case 'name':
      return items.map((i) => `${SINGULAR[i.type]}/${i.object.name}\n`).join('');
    case 'json':
    case 'yaml': {
      const objects = items.map((i) => apiObject(cluster, i));
      const value = request.singleItem && objects.length === 1 ? objects[0] : listObject(objects);
      return output === 'json' ? formatJson(value) : formatYaml(value);
    }
    case 'wide':
    case undefined: {
      const groups = byType(items);
      const tableOptions = { ...options, wide: output === 'wide', withType: groups.size > 1 };
      return [...groups].map(([type, group]) => formatGetTable(cluster, type, group, tableOptions)).join('\n');
    }
  }
}

export function formatGetAnswer(cluster: Cluster, request: GetRequest, answer: GetAnswer, output: GetOutput | undefined, options: ViewOptions): GetText {
  const errors = answer.notFound.map((line) => `${line}\n`).join('');
  // kubectl notes an empty listing on stderr for tables and names; json and yaml print the empty List.
  if (answer.items.length === 0 && request.names === undefined && output !== 'json' && output !== 'yaml') {
    return { stdout: '', stderr: noResourcesFound(options, request.types.every((t) => t === 'nodes')) };
  }
  return { stdout: body(cluster, request, answer, output, options), stderr: errors };
}
