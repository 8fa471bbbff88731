// `nodeport-sim schema`: the experiment file's JSON Schema on stdout, for editors and for
// programs that write experiment files. The package ships the same text as experiment.schema.json.

import type { Command } from 'commander';
import { experimentJsonSchema } from '../../experiment/json-schema.js';

/** The schema as the package ships it: two-space JSON and a final newline. */
export const schemaText = (): string => `${JSON.stringify(experimentJsonSchema(), null, 2)}\n`;

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the experiment file\'s JSON Schema (what experiment.schema.json holds)')
    .action(() => {
      process.stdout.write(schemaText());
    });
}
