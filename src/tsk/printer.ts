import type { RawDescriptor, RawValue } from '../config/types.js';
import { isRawEnvRef, ROOT_SECTION_KEY } from './raw.js';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const INDENT = '    ';

type RawObject = { readonly [key: string]: RawValue };

/**
 * Canonical .tsk text for a plain descriptor (see docs/tsk.md, "The plain
 * form"). Throws a TypeError for values .tsk cannot express (a section that is
 * not an object, a non-finite number, a key starting with '@', ...).
 */
export function printTsk(document: RawDescriptor): string {
  const blocks: string[] = [];
  const root = document[ROOT_SECTION_KEY];
  if (root !== undefined) blocks.push(printEntries(sectionObject(root, 'the root ("")'), '').join('\n'));
  for (const [name, value] of Object.entries(document)) {
    if (name === ROOT_SECTION_KEY) continue;
    const lines = [`[${printKey(name)}]`, ...printEntries(sectionObject(value, `section ${JSON.stringify(name)}`), '')];
    blocks.push(lines.join('\n'));
  }
  return blocks.filter((block) => block !== '').map((block) => `${block}\n`).join('\n');
}

function sectionObject(value: RawValue, what: string): RawObject {
  if (!isPlainObject(value)) throw new TypeError(`${what} must be an object to be printed as .tsk`);
  return value;
}

function printEntries(object: RawObject, indent: string): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    const printedKey = printKey(key);
    if (!isPlainObject(value)) {
      lines.push(`${indent}${printedKey}: ${printInline(value)}`);
    } else if (Object.keys(value).length === 0) {
      lines.push(`${indent}${printedKey} {}`);
    } else {
      lines.push(`${indent}${printedKey} {`, ...printEntries(value, indent + INDENT), `${indent}}`);
    }
  }
  return lines;
}

function printInline(value: RawValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return printString(value);
  if (typeof value === 'number') return printNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(printInline).join(', ')}]`;
  if (isRawEnvRef(value)) {
    const fallback = value.default === undefined ? '' : `, ${printInline(value.default)}`;
    return `@env(${printString(value['@env'])}${fallback})`;
  }
  const entries = Object.entries(value as RawObject).map(([key, item]) => `${printKey(key)}: ${printInline(item)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

function isPlainObject(value: RawValue): value is RawObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !isRawEnvRef(value);
}

function printKey(key: string): string {
  if (key.startsWith('@')) throw new TypeError(`key ${JSON.stringify(key)} cannot be printed: .tsk keys never start with '@'`);
  if (key === 'fujsen' || key.endsWith('_fujsen')) throw new TypeError(`key ${JSON.stringify(key)} names a code block, which .tsk rejects`);
  return IDENTIFIER.test(key) ? key : printString(key);
}

function printNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError(`${value} cannot be printed: .tsk numbers are finite`);
  return Object.is(value, -0) ? '-0' : String(value);
}

/** Double-quoted, escaping quotes, backslashes, control characters and lone surrogates. */
export function printString(value: string): string {
  let out = '"';
  for (let index = 0; index < value.length; index++) {
    const char = value[index];
    const code = value.charCodeAt(index);
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\n') out += '\\n';
    else if (char === '\t') out += '\\t';
    else if (char === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += unicodeEscape(code);
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(value.charCodeAt(index + 1))) {
      out += char + value[index + 1];
      index++;
    } else if (code >= 0xd800 && code <= 0xdfff) out += unicodeEscape(code);
    else out += char;
  }
  return `${out}"`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
