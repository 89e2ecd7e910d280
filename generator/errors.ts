/** Where a user error points: every CLI error is printed as `file:line:col: message`. */
export interface LocatedIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export function formatLocatedIssue(issue: LocatedIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/**
 * A mistake in the user's input (protos, descriptors, options). The CLI prints
 * its issues and exits 1 without a stack trace; anything else is a bug.
 */
export class GeneratorError extends Error {
  readonly issues: readonly LocatedIssue[];

  constructor(issues: readonly LocatedIssue[]) {
    super(issues.map(formatLocatedIssue).join('\n'));
    this.name = 'GeneratorError';
    this.issues = issues;
  }

  /** An error about a whole file (or a command line), pointing at its start. */
  static atFile(file: string, message: string): GeneratorError {
    return new GeneratorError([{ file, line: 1, column: 1, message }]);
  }
}
