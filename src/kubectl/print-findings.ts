// diagnose's findings as text (one finding and its fix per block) and as records for -o json.

import type { JsonObject } from './print-objects.js';
import type { Finding } from './diagnose.js';

export const formatFinding = (f: Finding): string => `${f.severity}: ${f.object}: ${f.message}\n  fix: ${f.fix}\n`;

/** `{severity, kind, object, message, fix}`: a finding's `Service default/web` split into kind and name. */
export function findingRecord(f: Finding): JsonObject {
  const space = f.object.indexOf(' ');
  return {
    severity: f.severity,
    kind: space < 0 ? '' : f.object.slice(0, space),
    object: space < 0 ? f.object : f.object.slice(space + 1),
    message: f.message,
    fix: f.fix,
  };
}
