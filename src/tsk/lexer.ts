import type { TskSource } from './source.js';
import { describeChar } from './source.js';
import type { SourcePos } from './types.js';

export type Punctuation = '[' | ']' | '{' | '}' | '(' | ')' | ':' | '=' | ',' | ';' | '>' | '<';

export type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly pos: SourcePos }
  /** `$name`; text is the name without `$`. */
  | { readonly kind: 'variable'; readonly text: string; readonly pos: SourcePos }
  /** `@name`; text is the name without `@`. */
  | { readonly kind: 'directive'; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'string'; readonly text: string; readonly value: string; readonly pos: SourcePos }
  | { readonly kind: 'number'; readonly text: string; readonly value: number; readonly pos: SourcePos }
  | { readonly kind: 'punct'; readonly text: Punctuation; readonly pos: SourcePos }
  | { readonly kind: 'newline'; readonly text: '\n'; readonly pos: SourcePos }
  | { readonly kind: 'eof'; readonly text: ''; readonly pos: SourcePos };

const PUNCTUATION = new Set<string>(['[', ']', '{', '}', '(', ')', ':', '=', ',', ';', '>', '<']);
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_-]/;
const NUMBER = /-?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/y;
/** What may not directly follow a number: it would make it a different word. */
const NUMBER_TAIL = /[A-Za-z0-9_.]/;
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'",
};

/** Turns .tsk text into tokens on demand, dropping whitespace and comments. */
export class Lexer {
  private readonly text: string;
  private index = 0;
  private line = 1;
  private lineStart = 0;
  private lookahead: Token | null = null;

  constructor(private readonly source: TskSource) {
    this.text = source.text;
    if (this.text.charCodeAt(0) === 0xfeff) {
      this.index = 1;
      this.lineStart = 1;
    }
  }

  peek(): Token {
    this.lookahead ??= this.scan();
    return this.lookahead;
  }

  next(): Token {
    const token = this.peek();
    this.lookahead = null;
    return token;
  }

  private pos(index = this.index): SourcePos {
    return { file: this.source.file, line: this.line, column: index - this.lineStart + 1 };
  }

  private fail(reason: string, pos: SourcePos = this.pos()): never {
    throw this.source.error(reason, pos);
  }

  private newLine(newlineIndex: number): void {
    this.line++;
    this.lineStart = newlineIndex + 1;
  }

  private skipSpaceAndComments(): void {
    const text = this.text;
    while (this.index < text.length) {
      const char = text[this.index];
      if (char === ' ' || char === '\t' || char === '\r') {
        this.index++;
      } else if (char === '#' || (char === '/' && text[this.index + 1] === '/')) {
        const end = text.indexOf('\n', this.index);
        this.index = end < 0 ? text.length : end;
      } else {
        return;
      }
    }
  }

  private scan(): Token {
    this.skipSpaceAndComments();
    const text = this.text;
    const start = this.index;
    const pos = this.pos();
    if (start >= text.length) return { kind: 'eof', text: '', pos };
    const char = text[start];
    if (char === '\n') {
      this.index++;
      this.newLine(start);
      // On a \r\n line, point at the \r: the quoted source line ends before it.
      const lineEnd = start > 0 && text[start - 1] === '\r' ? { ...pos, column: pos.column - 1 } : pos;
      return { kind: 'newline', text: '\n', pos: lineEnd };
    }
    if (PUNCTUATION.has(char)) {
      this.index++;
      return { kind: 'punct', text: char as Punctuation, pos };
    }
    if (char === '"' || char === "'") return this.scanString(char, pos);
    if (char === '-' || (char >= '0' && char <= '9')) return this.scanNumber(pos);
    if (IDENT_START.test(char)) return { kind: 'ident', text: this.scanName(), pos };
    if (char === '$' || char === '@') {
      this.index++;
      if (!IDENT_START.test(text[this.index] ?? '')) {
        this.fail(char === '$' ? "expected a variable name after '$'" : "expected a name after '@'", pos);
      }
      const name = this.scanName();
      return { kind: char === '$' ? 'variable' : 'directive', text: name, pos };
    }
    if (char === '`') this.fail('backticks are not allowed: a descriptor never executes code', pos);
    return this.fail(`unexpected character ${describeChar(char)}`, pos);
  }

  private scanName(): string {
    const start = this.index;
    this.index++;
    while (this.index < this.text.length && IDENT_PART.test(this.text[this.index])) this.index++;
    return this.text.slice(start, this.index);
  }

  private scanNumber(pos: SourcePos): Token {
    NUMBER.lastIndex = this.index;
    const match = NUMBER.exec(this.text);
    if (match === null) return this.fail(`unexpected character ${describeChar(this.text[this.index])}`, pos);
    const literal = match[0];
    const end = this.index + literal.length;
    if (NUMBER_TAIL.test(this.text[end] ?? '')) {
      let wordEnd = end;
      while (wordEnd < this.text.length && /[A-Za-z0-9_.+-]/.test(this.text[wordEnd])) wordEnd++;
      const word = this.text.slice(this.index, Math.min(wordEnd, this.index + 40));
      this.fail(`invalid number "${word}" (strings, durations included, must be quoted)`, pos);
    }
    this.index = end;
    const negative = literal.startsWith('-');
    const digits = negative ? literal.slice(1) : literal;
    const magnitude = /^0[xX]/.test(digits) ? Number.parseInt(digits.slice(2), 16) : Number(digits);
    if (!Number.isFinite(magnitude)) this.fail(`number "${literal}" is out of range`, pos);
    return { kind: 'number', text: literal, value: negative ? -magnitude : magnitude, pos };
  }

  private scanString(quote: '"' | "'", pos: SourcePos): Token {
    const start = this.index;
    const triple = quote === '"' && this.text.startsWith('"""', start);
    this.index += triple ? 3 : 1;
    if (triple) {
      // A line break right after the opening quotes is not part of the string.
      if (this.text.startsWith('\r\n', this.index)) this.index++;
      if (this.text[this.index] === '\n') {
        this.newLine(this.index);
        this.index++;
      }
    }
    let value = '';
    for (;;) {
      const char = this.text[this.index];
      if (char === undefined || (char === '\n' && !triple)) {
        this.fail(triple ? 'unterminated """ string' : 'unterminated string', pos);
      }
      if (triple ? this.text.startsWith('"""', this.index) : char === quote) {
        this.index += triple ? 3 : 1;
        return { kind: 'string', text: this.text.slice(start, this.index), value, pos };
      }
      if (char === '\\') {
        value += this.scanEscape();
      } else if (char === '\n') {
        if (value.endsWith('\r')) value = value.slice(0, -1);
        value += '\n';
        this.newLine(this.index);
        this.index++;
      } else {
        value += char;
        this.index++;
      }
    }
  }

  private scanEscape(): string {
    const escapePos = this.pos();
    const code = this.text[this.index + 1];
    if (code !== undefined && Object.hasOwn(SIMPLE_ESCAPES, code)) {
      this.index += 2;
      return SIMPLE_ESCAPES[code];
    }
    if (code === 'u') {
      const hex = this.text.slice(this.index + 2, this.index + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape: expected exactly four hex digits', escapePos);
      this.index += 6;
      return String.fromCharCode(Number.parseInt(hex, 16));
    }
    const shown = code === undefined ? 'end of input' : describeChar(code);
    return this.fail(`invalid escape: backslash followed by ${shown}`, escapePos);
  }
}
