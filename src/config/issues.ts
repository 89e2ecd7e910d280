import type { SourcePos } from '../tsk/types.js';

/** One problem found in a .tsk descriptor, pointing at the offending key or value. */
export interface DescriptorIssue {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** `proto/user/v1/user.tsk:12:5: unknown method "GetUsr" in [methods] (did you mean "GetUser"?)` */
export function formatIssue(issue: DescriptorIssue): string {
  return `${issue.file}:${issue.line}:${issue.column}: ${issue.message}`;
}

/** Collects issues in the order found; validation never stops at the first. */
export class IssueList {
  readonly issues: DescriptorIssue[] = [];

  add(pos: SourcePos, message: string): void {
    this.issues.push({ file: pos.file, line: pos.line, column: pos.column, message });
  }

  /** Sorted by position, so output reads top to bottom like the file. */
  sorted(): DescriptorIssue[] {
    return [...this.issues].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}
