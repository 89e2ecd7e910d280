import { TskSyntaxError } from './errors.js';
import type { SourcePos } from './types.js';

/**
 * A .tsk source with the file name, able to turn an offset into a position and
 * to build errors that quote the offending line.
 */
export class TskSource {
  readonly text: string;
  readonly file: string;

  constructor(text: string, file: string) {
    this.text = text;
    this.file = file;
  }

  /** The text of 1-based line `line`, without its line break. */
  lineText(line: number): string {
    let start = 0;
    for (let current = 1; current < line; current++) {
      const next = this.text.indexOf('\n', start);
      if (next < 0) return '';
      start = next + 1;
    }
    const end = this.text.indexOf('\n', start);
    const raw = this.text.slice(start, end < 0 ? this.text.length : end);
    return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  }

  error(reason: string, pos: SourcePos): TskSyntaxError {
    const line = this.lineText(pos.line);
    // A position after a trailing \r (end of file on a CRLF line) moves back onto the quoted line.
    const column = Math.min(pos.column, line.length + 1);
    return new TskSyntaxError(reason, column === pos.column ? pos : { ...pos, column }, line);
  }
}

/** Shows a character in an error message; invisible ones as \uXXXX. */
export function describeChar(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff) || code === 0xfeff) {
    return `'\\u${code.toString(16).padStart(4, '0')}'`;
  }
  return `'${char}'`;
}
