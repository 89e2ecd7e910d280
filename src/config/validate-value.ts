import type { SourcePos, TskEntry, TskObject, TskValue } from '../tsk/types.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import type { IssueList } from './issues.js';
import { checkLeafItem, describeLiteral, describeType, splitList, type Literal } from './scalar-check.js';
import type { BlockSpec, KeySpec, LeafSpec, MapSpec } from './schema-types.js';
import { child, whereText, type Where } from './where.js';

function literalOf(value: TskValue): Literal | undefined {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return value.value;
    case 'null':
      return null;
    default:
      return undefined;
  }
}

function shapeOf(value: TskValue): string {
  if (value.kind === 'array') return 'a list';
  if (value.kind === 'object') return 'a block';
  if (value.kind === 'env') return `@env(${JSON.stringify(value.name)})`;
  return describeLiteral(literalOf(value)!);
}

/**
 * The checked value of a literal leaf, for cross-key rules; undefined when it
 * is not known before load time (an `@env`) or is invalid (already reported).
 */
export function checkedLiteral(spec: KeySpec, value: TskValue): unknown {
  if (spec.kind !== 'leaf' || spec.list) return undefined;
  const literal = literalOf(value);
  if (literal === undefined) return undefined;
  const checked = checkLeafItem(spec, literal);
  return checked.ok ? checked.value : undefined;
}

/** Validates one value against its spec, reporting every problem found at the value's own position. */
export function validateValue(spec: KeySpec, value: TskValue, where: Where, issues: IssueList, partial: boolean, keyPos?: SourcePos): void {
  if (spec.kind === 'leaf') validateLeaf(spec, value, where, issues, '');
  else if (spec.kind === 'block') validateBlock(spec, value, where, issues, partial, keyPos ?? value.pos);
  else validateMap(spec, value, where, issues, partial);
}

function validateLeaf(spec: LeafSpec, value: TskValue, where: Where, issues: IssueList, subjectPrefix: string): void {
  if (value.kind === 'env') {
    // A default may itself be an @env (docs/tsk.md); each level is checked the same way. A null default leaves the key unset.
    if (value.fallback && value.fallback.kind !== 'null') validateLeaf(spec, value.fallback, where, issues, `@env(${JSON.stringify(value.name)}) default `);
    return;
  }
  if (spec.list && (value.kind === 'array' || value.kind === 'string')) {
    const items = value.kind === 'array' ? value.items : [];
    if (value.kind === 'string') {
      for (const part of splitList(value.value)) reportItem(spec, part, value, where, issues, subjectPrefix);
      if (splitList(value.value).length === 0) issues.add(value.pos, `${whereText(where)}: ${subjectPrefix}"" is an empty list`);
      return;
    }
    for (const item of items) {
      if (item.kind === 'env') {
        validateLeaf({ ...spec, list: false }, item, where, issues, subjectPrefix);
        continue;
      }
      const literal = literalOf(item);
      if (literal === undefined) issues.add(item.pos, `${whereText(where)}: ${subjectPrefix}${shapeOf(item)} is not ${describeType({ ...spec, list: false })}`);
      else reportItem(spec, literal, item, where, issues, subjectPrefix);
    }
    return;
  }
  const literal = literalOf(value);
  if (literal === undefined) {
    issues.add(value.pos, `${whereText(where)}: expected ${describeType(spec)}, got ${subjectPrefix}${shapeOf(value)}`);
    return;
  }
  if (spec.list && literal === null && spec.nullable) return;
  reportItem(spec, literal, value, where, issues, subjectPrefix);
}

function reportItem(spec: LeafSpec, literal: Literal, at: TskValue, where: Where, issues: IssueList, subjectPrefix: string): void {
  const checked = checkLeafItem(spec, literal);
  if (!checked.ok) issues.add(at.pos, `${whereText(where)}: ${subjectPrefix}${spec.secret ? 'the value' : describeLiteral(literal)} ${checked.problem}`);
}

function expectObject(value: TskValue, where: Where, issues: IssueList): value is TskObject {
  if (value.kind === 'object') return true;
  const got = value.kind === 'env' ? `@env(${JSON.stringify(value.name)}), which can only stand for a single value` : shapeOf(value);
  issues.add(value.pos, `${whereText(where)}: expected a block { ... }, got ${got}`);
  return false;
}

function validateBlock(spec: BlockSpec, value: TskValue, where: Where, issues: IssueList, partial: boolean, keyPos: SourcePos): void {
  if (value.kind === 'null' && spec.nullable) return;
  if (!expectObject(value, where, issues)) return;
  const inner = partial && !spec.whole;
  const known = Object.keys(spec.keys);
  const byKey = new Map<string, TskEntry>();
  for (const entry of value.entries) {
    const keySpec = spec.keys[entry.key];
    if (!keySpec || !Object.hasOwn(spec.keys, entry.key)) {
      issues.add(entry.keyPos, `unknown key ${JSON.stringify(entry.key)} in ${whereText(where)}${didYouMeanSuffix(entry.key, known)}`);
      continue;
    }
    byKey.set(entry.key, entry);
    validateValue(keySpec, entry.value, child(where, entry.key), issues, inner, entry.keyPos);
  }
  for (const [key, keySpec] of Object.entries(spec.keys)) {
    if (keySpec.kind === 'leaf' && keySpec.required && !byKey.has(key)) {
      issues.add(keyPos, `${whereText(where)}: missing key ${JSON.stringify(key)} (${keySpec.meaning})`);
    }
  }
  if (spec.crossCheck) {
    const get = (key: string): unknown => {
      const entry = byKey.get(key);
      const keySpec = spec.keys[key]!;
      if (entry) return checkedLiteral(keySpec, entry.value);
      if (inner || keySpec.kind !== 'leaf' || keySpec.default === undefined) return undefined;
      const raw = typeof keySpec.default === 'function' ? keySpec.default(get) : keySpec.default;
      return raw === null || typeof raw !== 'object' ? checkedLiteralOfRaw(keySpec, raw) : undefined;
    };
    const problem = spec.crossCheck(get);
    const entry = problem && byKey.get(problem.key);
    if (problem && entry) issues.add(entry.value.pos, `${whereText(child(where, problem.key))}: ${shapeOf(entry.value)} ${problem.problem}`);
  }
}

function checkedLiteralOfRaw(spec: LeafSpec, raw: Literal): unknown {
  const checked = checkLeafItem(spec, raw);
  return checked.ok ? checked.value : undefined;
}

function validateMap(spec: MapSpec, value: TskValue, where: Where, issues: IssueList, partial: boolean): void {
  if (!expectObject(value, where, issues)) return;
  for (const entry of value.entries) {
    validateValue(spec.entry, entry.value, child(where, entry.key), issues, partial || spec.partialEntries === true, entry.keyPos);
  }
}
