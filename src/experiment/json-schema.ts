// The experiment file as JSON Schema (draft 2020-12), read off the same description the validator
// uses, so an editor (`# yaml-language-server: $schema=...`) completes and checks what `run` accepts.
// The validator stays the authority: its messages, the did-you-mean and cross-key checks (a sweep
// value against its own key) are richer than a schema can say.

import type { JsonSchema } from './checks.js';
import { EXPERIMENT } from './description.js';
import type { Fields } from './description-kit.js';
import { SWEEPABLE_PATHS } from './schema.js';

function objectOf(fields: Fields, doc: string): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const [key, field] of Object.entries(fields)) {
    if (field.kind === 'section') properties[key] = objectOf(field.fields, field.doc);
    else if (field.kind === 'whole') properties[key] = { description: field.doc, ...field.jsonSchema, default: field.default };
    else {
      properties[key] = { description: field.doc, ...(field.check.jsonSchema ?? {}), ...(field.required ? {} : { default: field.default }) };
      if (field.required) required.push(key);
    }
  }
  return { type: 'object', description: doc, additionalProperties: false, ...(required.length > 0 ? { required } : {}), properties };
}

export function experimentJsonSchema(): JsonSchema {
  const root = objectOf(EXPERIMENT, 'A nodeport-sim experiment: one YAML file; paths inside it are relative to it.') as {
    properties: Record<string, JsonSchema>;
  };
  const sweep = root.properties.sweep;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'nodeport-sim experiment',
    ...root,
    properties: { ...root.properties, sweep: { ...sweep, propertyNames: { enum: SWEEPABLE_PATHS } } },
  };
}
