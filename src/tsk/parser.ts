import { Lexer, type Token } from './lexer.js';
import { TskSource } from './source.js';
import type { SourcePos, TskArray, TskDocument, TskEntry, TskEnvRef, TskObject, TskValue } from './types.js';
import { measureValue } from './measure.js';

/** Containers (arrays, objects, @env defaults) nested inside one section, at most. */
export const MAX_DEPTH = 64;
/** Values in a document after variable substitution, at most. */
export const MAX_VALUES = 1_000_000;

const NO_CODE = 'a descriptor never executes code';

interface VariableDefinition {
  readonly value: TskValue;
  readonly pos: SourcePos;
  readonly height: number;
  readonly size: number;
}

/** Where an object body ends: at the next section header, or at its closing bracket. */
type BodyEnd = { readonly kind: 'section' } | { readonly kind: 'closer'; readonly closer: '}' | '<'; readonly opener: Token };

/**
 * Parses .tsk text (see docs/tsk.md) into positioned values. Throws only
 * TskSyntaxError. `$variables` are substituted; `@env(...)` stays deferred.
 */
export function parseTsk(source: string, file: string): TskDocument {
  return new Parser(new TskSource(source, file)).parseDocument();
}

class Parser {
  private readonly lexer: Lexer;
  private readonly variables = new Map<string, VariableDefinition>();
  private valueCount = 0;

  constructor(private readonly source: TskSource) {
    this.lexer = new Lexer(source);
  }

  parseDocument(): TskDocument {
    const file = this.source.file;
    const root: TskObject = { kind: 'object', entries: this.parseBody({ kind: 'section' }, 0), pos: { file, line: 1, column: 1 } };
    const sections: TskEntry[] = [];
    const seen = new Map<string, SourcePos>();
    while (this.lexer.peek().kind !== 'eof') {
      const open = this.lexer.next(); // always '[': parseBody stops only there or at the end
      const nameToken = this.lexer.next();
      if (nameToken.kind !== 'ident' && nameToken.kind !== 'string') {
        this.fail(`expected a section name after '[', found ${describe(nameToken)}`, nameToken.pos);
      }
      const name = nameToken.kind === 'string' ? nameToken.value : nameToken.text;
      if (name === '') this.fail('a section name cannot be empty', nameToken.pos);
      this.checkKey(name, nameToken.pos);
      const first = seen.get(name);
      if (first) this.fail(`duplicate section ${quote(name)} (first at ${at(first)})`, nameToken.pos);
      seen.set(name, nameToken.pos);
      this.expectPunct(']', `after section name ${quote(name)}`);
      this.expectLineEnd('after a section header');
      const entries = this.parseBody({ kind: 'section' }, 0);
      sections.push({ key: name, keyPos: nameToken.pos, value: { kind: 'object', entries, pos: open.pos } });
    }
    return { file, root, sections };
  }

  /** Entries up to `end`; at section level one per line, inside brackets separated by commas or newlines. */
  private parseBody(end: BodyEnd, depth: number): TskEntry[] {
    const entries: TskEntry[] = [];
    const seen = new Map<string, SourcePos>();
    for (;;) {
      this.skipNewlines();
      const token = this.lexer.peek();
      if (end.kind === 'section') {
        if (token.kind === 'eof' || isPunct(token, '[')) return entries;
      } else if (isPunct(token, end.closer)) {
        this.lexer.next();
        return entries;
      } else if (token.kind === 'eof') {
        this.failUnclosed(end.opener);
      }
      this.parseEntry(entries, seen, depth);
      if (isPunct(this.lexer.peek(), ';')) this.lexer.next();
      const after = this.lexer.peek();
      if (after.kind === 'newline' || (end.kind === 'section' && after.kind === 'eof')) continue;
      if (end.kind === 'section') this.fail(`expected end of line after an entry, found ${describe(after)}`, after.pos);
      if (isPunct(after, ',')) this.lexer.next();
      else if (after.kind === 'eof') this.failUnclosed(end.opener);
      else if (!isPunct(after, end.closer)) {
        this.fail(`expected ',', a new line or '${end.closer}' after an entry, found ${describe(after)}`, after.pos);
      }
    }
  }

  private parseEntry(entries: TskEntry[], seen: Map<string, SourcePos>, depth: number): void {
    const keyToken = this.lexer.next();
    let key: string;
    if (keyToken.kind === 'ident') key = keyToken.text;
    else if (keyToken.kind === 'string') key = keyToken.value;
    else if (keyToken.kind === 'variable') return this.parseVariableDefinition(keyToken, depth);
    else if (keyToken.kind === 'directive') return this.fail(`a key cannot start with '@'`, keyToken.pos);
    else return this.fail(`expected a key, found ${describe(keyToken)}`, keyToken.pos);
    this.checkKey(key, keyToken.pos);
    const first = seen.get(key);
    if (first) this.fail(`duplicate key ${quote(key)} (first defined at ${at(first)})`, keyToken.pos);
    seen.set(key, keyToken.pos);
    entries.push({ key, keyPos: keyToken.pos, value: this.parseEntryValue(quote(key), depth) });
  }

  private parseVariableDefinition(nameToken: Token, depth: number): void {
    const name = nameToken.text;
    const earlier = this.variables.get(name);
    if (earlier) this.fail(`variable $${short(name)} is already defined (at ${at(earlier.pos)})`, nameToken.pos);
    const value = this.parseEntryValue(`$${short(name)}`, depth);
    this.variables.set(name, { value, pos: nameToken.pos, ...measureValue(value) });
  }

  /** What follows a key: `: value`, `= value`, `{ block }` or `> block <`. */
  private parseEntryValue(keyText: string, depth: number): TskValue {
    const token = this.lexer.next();
    if (isPunct(token, ':') || isPunct(token, '=')) {
      const start = this.lexer.peek();
      if (start.kind === 'newline' || start.kind === 'eof') {
        this.fail(`missing value after '${token.text}' (a value starts on the same line as its key)`, start.pos);
      }
      return this.parseValue(depth);
    }
    if (isPunct(token, '{')) return this.parseObject(token, '}', depth);
    if (isPunct(token, '>')) return this.parseObject(token, '<', depth);
    return this.fail(`expected ':', '=', '{' or '>' after ${keyText}, found ${describe(token)}`, token.pos);
  }

  private parseValue(depth: number): TskValue {
    const token = this.lexer.next();
    switch (token.kind) {
      case 'string':
        return this.counted({ kind: 'string', value: token.value, pos: token.pos });
      case 'number':
        return this.counted({ kind: 'number', value: token.value, pos: token.pos });
      case 'ident':
        if (token.text === 'true' || token.text === 'false') {
          return this.counted({ kind: 'boolean', value: token.text === 'true', pos: token.pos });
        }
        if (token.text === 'null') return this.counted({ kind: 'null', pos: token.pos });
        if (token.text === 'function') return this.fail(`code blocks (fujsen) are not allowed: ${NO_CODE}`, token.pos);
        return this.fail(`unquoted word ${quote(token.text)}: strings must be quoted`, token.pos);
      case 'variable':
        return this.substitute(token, depth);
      case 'directive':
        if (token.text === 'env') return this.parseEnv(token, depth);
        return this.fail(`@${short(token.text)} is not supported: ${NO_CODE} or reads other sources (only @env(...) is allowed)`, token.pos);
      case 'punct':
        if (token.text === '[') return this.parseArray(token, depth);
        if (token.text === '{') return this.parseObject(token, '}', depth);
        if (token.text === '(') return this.fail(`code blocks (fujsen) are not allowed: ${NO_CODE}`, token.pos);
        return this.fail(`expected a value, found ${describe(token)}`, token.pos);
      default:
        return this.fail(`expected a value, found ${describe(token)}`, token.pos);
    }
  }

  private parseObject(opener: Token, closer: '}' | '<', depth: number): TskObject {
    this.enterContainer(opener, depth);
    const entries = this.parseBody({ kind: 'closer', closer, opener }, depth + 1);
    return this.counted({ kind: 'object', entries, pos: opener.pos });
  }

  private parseArray(opener: Token, depth: number): TskArray {
    this.enterContainer(opener, depth);
    const items: TskValue[] = [];
    for (;;) {
      this.skipNewlines();
      const token = this.lexer.peek();
      if (isPunct(token, ']')) break;
      if (token.kind === 'eof') this.failUnclosed(opener);
      items.push(this.parseValue(depth + 1));
      this.skipNewlines();
      const after = this.lexer.peek();
      if (isPunct(after, ',')) this.lexer.next();
      else if (after.kind === 'eof') this.failUnclosed(opener);
      else if (!isPunct(after, ']')) this.fail(`expected ',' or ']' in an array, found ${describe(after)}`, after.pos);
    }
    this.lexer.next();
    return this.counted({ kind: 'array', items, pos: opener.pos });
  }

  /** `@env("NAME")` or `@env("NAME", default)`; newlines and a trailing comma are allowed inside. */
  private parseEnv(directive: Token, depth: number): TskEnvRef {
    this.enterContainer(directive, depth);
    const open = this.lexer.next();
    if (!isPunct(open, '(')) this.fail(`expected '(' after @env, found ${describe(open)}`, open.pos);
    this.skipNewlines();
    const nameToken = this.lexer.next();
    if (nameToken.kind !== 'string' || nameToken.value === '') {
      this.fail(`@env needs an environment variable name as a non-empty quoted string, found ${describe(nameToken)}`, nameToken.pos);
    }
    let fallback: TskValue | undefined;
    this.skipNewlines();
    if (isPunct(this.lexer.peek(), ',')) {
      this.lexer.next();
      this.skipNewlines();
      if (!isPunct(this.lexer.peek(), ')') && this.lexer.peek().kind !== 'eof') {
        fallback = this.parseValue(depth + 1);
        this.skipNewlines();
        if (isPunct(this.lexer.peek(), ',')) this.lexer.next();
        this.skipNewlines();
      }
    }
    const close = this.lexer.next();
    if (close.kind === 'eof') this.failUnclosed(open);
    if (!isPunct(close, ')')) this.fail(`expected ')' to close @env(...), found ${describe(close)}`, close.pos);
    const name = nameToken.kind === 'string' ? nameToken.value : '';
    const ref: TskEnvRef = fallback === undefined ? { kind: 'env', name, pos: directive.pos } : { kind: 'env', name, fallback, pos: directive.pos };
    return this.counted(ref);
  }

  private substitute(reference: Token, depth: number): TskValue {
    const definition = this.variables.get(reference.text);
    if (!definition) this.fail(`undefined variable $${short(reference.text)} (variables must be defined before use)`, reference.pos);
    if (depth + definition.height > MAX_DEPTH) {
      this.fail(`nesting deeper than ${MAX_DEPTH} levels (through variable $${short(reference.text)})`, reference.pos);
    }
    this.valueCount += definition.size;
    this.checkValueCount(reference.pos);
    return { ...definition.value, pos: reference.pos };
  }

  private enterContainer(opener: Token, depth: number): void {
    if (depth >= MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`, opener.pos);
  }

  private counted<T extends TskValue>(value: T): T {
    this.valueCount++;
    this.checkValueCount(value.pos);
    return value;
  }

  private checkValueCount(pos: SourcePos): void {
    if (this.valueCount > MAX_VALUES) this.fail(`more than ${MAX_VALUES} values after substituting variables`, pos);
  }

  private checkKey(key: string, pos: SourcePos): void {
    if (key.startsWith('@')) this.fail(`a key cannot start with '@'`, pos);
    if (key === 'fujsen' || key.endsWith('_fujsen')) this.fail(`fujsen code blocks are not allowed: ${NO_CODE}`, pos);
  }

  private skipNewlines(): void {
    while (this.lexer.peek().kind === 'newline') this.lexer.next();
  }

  private expectPunct(text: string, where: string): void {
    const token = this.lexer.next();
    if (!isPunct(token, text)) this.fail(`expected '${text}' ${where}, found ${describe(token)}`, token.pos);
  }

  private expectLineEnd(where: string): void {
    const token = this.lexer.peek();
    if (token.kind !== 'newline' && token.kind !== 'eof') this.fail(`expected end of line ${where}, found ${describe(token)}`, token.pos);
  }

  private failUnclosed(opener: Token): never {
    const closer = ({ '[': ']', '{': '}', '>': '<', '(': ')' } as Record<string, string>)[opener.text] ?? '';
    return this.fail(`'${opener.text}' is never closed (expected '${closer}' before the end of the file)`, opener.pos);
  }

  private fail(reason: string, pos: SourcePos): never {
    throw this.source.error(reason, pos);
  }
}

function isPunct(token: Token, text: string): boolean {
  return token.kind === 'punct' && token.text === text;
}

/** A name or word for a one-line message: quoted, escaped and cut short. */
function quote(text: string): string {
  return JSON.stringify(short(text));
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function at(pos: SourcePos): string {
  return `line ${pos.line}, column ${pos.column}`;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'newline': return 'end of line';
    case 'eof': return 'end of file';
    case 'string': return 'a string';
    case 'number': return `number ${short(token.text)}`;
    case 'ident': return quote(token.text);
    case 'variable': return `$${short(token.text)}`;
    case 'directive': return `@${short(token.text)}`;
    case 'punct': return `'${token.text}'`;
  }
}
