import type { SourcePos } from './types.js';

/**
 * The only error the .tsk parser throws. `message` is the full
 * `file:line:col: text` line followed by the offending source line and a caret,
 * so printing it is enough for a user to find the problem.
 */
export class TskSyntaxError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The one-line reason, without position or excerpt. */
  readonly reason: string;
  /** The source line the error points into, without its newline. */
  readonly sourceLine: string;

  constructor(reason: string, pos: SourcePos, sourceLine: string) {
    const caret = ' '.repeat(Math.max(0, pos.column - 1)) + '^';
    super(`${pos.file}:${pos.line}:${pos.column}: ${reason}\n  ${sourceLine}\n  ${caret}`);
    this.name = 'TskSyntaxError';
    this.file = pos.file;
    this.line = pos.line;
    this.column = pos.column;
    this.reason = reason;
    this.sourceLine = sourceLine;
  }

  /** `file:line:col: reason`, the one-line form used by the CLI. */
  get shortMessage(): string {
    return `${this.file}:${this.line}:${this.column}: ${this.reason}`;
  }
}
