// `nodeport-sim diagnose -f FILE... [-o json]`: the tutorial's troubleshooting done on the manifests.
// Exit 0 when no error is found (warnings alone do not fail unless --strict), 1 otherwise,
// whatever the output format.

import type { Command } from 'commander';
import { diagnoseManifests } from '../../kubectl/diagnose.js';
import { findingRecord, formatFinding } from '../../kubectl/print-findings.js';
import { formatJson } from '../../kubectl/print-objects.js';
import { addClusterOptions, type ClusterFlags, type CommandResult, emit, runWithInput, verboseText } from '../cluster-input.js';

export interface DiagnoseFlags extends ClusterFlags {
  readonly strict?: boolean;
  readonly output?: string;
}

export function runDiagnose(flags: DiagnoseFlags): CommandResult {
  if (flags.output !== undefined && flags.output !== 'json') {
    return { stdout: '', stderr: `error: unable to match a printer suitable for the output format "${flags.output}", allowed formats are: json\n`, exitCode: 2 };
  }
  return runWithInput(flags, (docs, options) => {
    const { findings, cluster, notes } = diagnoseManifests(docs, options);
    const verbose = verboseText(flags, cluster, notes);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.length - errors;
    const failed = errors > 0 || (flags.strict === true && warnings > 0);
    const exitCode = failed ? 1 : 0;
    if (flags.output === 'json') return { stdout: formatJson(findings.map(findingRecord)), stderr: verbose, exitCode };
    const summary = findings.length === 0 ? 'no problems found\n' : `${errors} error(s), ${warnings} warning(s)\n`;
    return { stdout: findings.map(formatFinding).join('') + summary, stderr: verbose, exitCode };
  });
}

export function registerDiagnose(program: Command): void {
  addClusterOptions(
    program
      .command('diagnose')
      .description('find selector, targetPort, nodePort, endpoint and traffic-policy faults, each with its fix')
      .option('-o, --output <format>', 'json: the findings as an array of {severity, kind, object, message, fix}')
      .option('--strict', 'exit 1 on warnings too'),
  ).action((flags: DiagnoseFlags) => emit(runDiagnose(flags)));
}
