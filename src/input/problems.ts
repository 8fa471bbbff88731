// User mistakes in manifests, experiment files or options, collected with where they are, then
// thrown once as an InputError (the CLI prints it and exits 2). Every layer may import this file.

export interface InputIssue {
  readonly file?: string;
  /** 1-based line in `file`: of a YAML syntax error, or of the offending key. */
  readonly line?: number;
  /** The object the mistake is in, as `Kind namespace/name` (`Service default/nginx`). */
  readonly object?: string;
  /** Dotted field path (`spec.ports[0].port`); '' when the whole document is meant. */
  readonly path: string;
  readonly message: string;
}

/** `file:LINE: object: path: message`, leaving out the parts an issue does not have. */
export function formatIssue(issue: InputIssue): string {
  const parts: string[] = [];
  if (issue.file !== undefined) parts.push(issue.line === undefined ? issue.file : `${issue.file}:${issue.line}`);
  if (issue.object !== undefined && issue.object !== '') parts.push(issue.object);
  if (issue.path !== '') parts.push(issue.path);
  parts.push(issue.message);
  return parts.join(': ');
}

export class InputError extends Error {
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.name = 'InputError';
  }
}
