// `nodeport-sim diagnose -f FILE...`: the tutorial's troubleshooting done on the manifests.
// Exit 0 when no error is found (warnings alone do not fail unless --strict), 1 otherwise.

import type { Command } from 'commander';
import { diagnoseManifests, type Finding } from '../../kubectl/diagnose.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput } from '../cluster-input.js';

export interface DiagnoseFlags extends ClusterFlags {
  readonly strict?: boolean;
}

export const formatFinding = (f: Finding): string => `${f.severity}: ${f.object}: ${f.message}\n  fix: ${f.fix}\n`;

export function runDiagnose(flags: DiagnoseFlags): CommandResult {
  return runWithInput(flags, (docs, options) => {
    const { findings } = diagnoseManifests(docs, options);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.length - errors;
    const summary = findings.length === 0 ? 'no problems found\n' : `${errors} error(s), ${warnings} warning(s)\n`;
    const failed = errors > 0 || (flags.strict === true && warnings > 0);
    return { stdout: findings.map(formatFinding).join('') + summary, stderr: '', exitCode: failed ? 1 : 0 };
  });
}

export function registerDiagnose(program: Command): void {
  addClusterOptions(
    program
      .command('diagnose')
      .description('find selector, targetPort, nodePort, endpoint and traffic-policy faults, each with its fix')
      .option('--strict', 'exit 1 on warnings too'),
  ).action((flags: DiagnoseFlags) => emit(runDiagnose(flags)));
}
