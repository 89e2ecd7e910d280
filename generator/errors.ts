/**
 * Where a user error points: `file:line:col: message` when there is a
 * position, `file: message` when the problem is the file as a whole, and
 * `tusk-grpc: message` for the command line.
 */
export interface LocatedIssue {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

/** What command-line mistakes are attributed to: they have no file. */
export const COMMAND_LINE = 'tusk-grpc';

export function formatLocatedIssue(issue: LocatedIssue): string {
  const position = issue.line === undefined ? '' : `:${issue.line}:${issue.column ?? 1}`;
  return `${issue.file}${position}: ${issue.message}`;
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

  /** An error about a whole file, with no position in it. */
  static atFile(file: string, message: string): GeneratorError {
    return new GeneratorError([{ file, message }]);
  }

  /** A mistake on the command line (or in the set-up the command needs). */
  static onCommandLine(message: string): GeneratorError {
    return new GeneratorError([{ file: COMMAND_LINE, message }]);
  }
}
