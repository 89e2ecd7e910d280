import { Code, codeFromName } from '../status/codes.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import { DURATION_HINT, formatDuration, parseDuration } from './durations.js';
import type { LeafSpec, ScalarType } from './schema-types.js';
import type { RawValue } from './types.js';

/** A value as written, before any meaning is given to it. */
export type Literal = string | number | boolean | null;

/** The checked value (durations already in ms), or a predicate saying what is wrong: "is not a number". */
export type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string };

const ok = (value: unknown): Checked => ({ ok: true, value });
const bad = (problem: string): Checked => ({ ok: false, problem });

const CODE_NAMES = Object.keys(Code).filter((name) => Number.isNaN(Number(name)));

/** How a value is shown in messages: strings quoted, so `"abc"` and `5` read differently. */
export function describeLiteral(value: Literal): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function numberRequirement(type: Extract<ScalarType, { kind: 'number' }>): string {
  const what = type.integer ? 'an integer' : 'a number';
  if (type.min !== undefined && type.max !== undefined) return `${what} from ${type.min} to ${type.max}`;
  if (type.min !== undefined) return `${what} of at least ${type.min}`;
  if (type.max !== undefined) return `${what} of at most ${type.max}`;
  return what;
}

/** What a value of this type looks like, for "expected ..." wording. */
export function describeType(spec: LeafSpec): string {
  const type = spec.type;
  const single = ((): string => {
    switch (type.kind) {
      case 'string': return 'a string';
      case 'number': return numberRequirement(type);
      case 'boolean': return 'true or false';
      case 'duration': return 'a duration such as "250ms" or "5s"';
      case 'enum': return `one of ${type.values.join(', ')}`;
      case 'code': return 'a gRPC status code name';
      case 'metadata': return 'a string, number or boolean';
    }
  })();
  return spec.list ? `a list of ${single.replace(/^an? /, '')} values (or one comma-separated string)` : single;
}

export function checkScalar(type: ScalarType, value: Literal): Checked {
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') return bad('is not a string');
      return type.nonEmpty && value.trim() === '' ? bad('is empty') : ok(value);
    case 'number': {
      const fits = typeof value === 'number' && Number.isFinite(value) && (!type.integer || Number.isInteger(value))
        && (type.min === undefined || value >= type.min) && (type.max === undefined || value <= type.max);
      return fits ? ok(value) : bad(`is not ${numberRequirement(type)}`);
    }
    case 'boolean':
      return typeof value === 'boolean' ? ok(value) : bad('is not true or false');
    case 'duration': {
      if (typeof value === 'number') return bad(`is not a duration: write the unit, e.g. "${value}ms"`);
      if (typeof value !== 'string') return bad(`is not a duration (${DURATION_HINT})`);
      let ms: number;
      try {
        ms = parseDuration(value);
      } catch {
        return bad(`is not a duration (${DURATION_HINT})`);
      }
      return type.minMs !== undefined && ms < type.minMs ? bad(`is shorter than ${formatDuration(type.minMs)}`) : ok(ms);
    }
    case 'enum':
      if (typeof value === 'string' && type.values.includes(value)) return ok(value);
      return bad(`is not one of ${type.values.join(', ')}${typeof value === 'string' ? didYouMeanSuffix(value, type.values) : ''}`);
    case 'code':
      if (typeof value === 'string' && codeFromName(value) !== undefined) return ok(value);
      return bad(`is not a gRPC status code name${typeof value === 'string' ? didYouMeanSuffix(value.toUpperCase(), CODE_NAMES) : ''}`);
    case 'metadata':
      return value === null ? bad('is not a string, number or boolean') : ok(value);
  }
}

/** One element of a leaf (the whole value when it is not a list), with the key's own extra rule. */
export function checkLeafItem(spec: LeafSpec, value: Literal): Checked {
  if (value === null && spec.nullable && !spec.list) return ok(null);
  const checked = checkScalar(spec.type, value);
  if (!checked.ok || !spec.check) return checked;
  const problem = spec.check(checked.value);
  return problem === undefined ? checked : bad(problem);
}

/** "a:1, b:2" → ["a:1", "b:2"]: how a list key reads one string. */
export function splitList(text: string): string[] {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/**
 * An environment string read as one item of this key's type. `like` is the
 * @env default, which tells what a metadata value should become.
 */
export function coerceEnvItem(spec: LeafSpec, text: string, like?: RawValue): Checked {
  const trimmed = text.trim();
  if (spec.nullable && !spec.list && (trimmed === 'null' || trimmed === 'off')) return ok(null);
  const kind = spec.type.kind === 'metadata' ? typeof like : spec.type.kind;
  if (kind === 'number') {
    const number = trimmed === '' ? Number.NaN : Number(trimmed);
    if (Number.isNaN(number)) return bad('is not a number');
    return checkLeafItem(spec, number);
  }
  if (kind === 'boolean') {
    const word = trimmed.toLowerCase();
    if (TRUE_WORDS.has(word)) return checkLeafItem(spec, true);
    if (FALSE_WORDS.has(word)) return checkLeafItem(spec, false);
    return bad('is not a boolean (true/false, 1/0, yes/no)');
  }
  return checkLeafItem(spec, spec.type.kind === 'string' || spec.type.kind === 'metadata' ? text : trimmed);
}

/** A whole environment string for this key: lists split on commas. */
export function coerceEnvValue(spec: LeafSpec, text: string, like?: RawValue): Checked {
  if (!spec.list) return coerceEnvItem(spec, text, like);
  const parts = splitList(text);
  if (parts.length === 0) return bad('is an empty list');
  const items: unknown[] = [];
  for (const part of parts) {
    const checked = coerceEnvItem(spec, part);
    if (!checked.ok) return bad(`has ${JSON.stringify(part)}, which ${checked.problem}`);
    items.push(checked.value);
  }
  return ok(items);
}
