import { isRawEnvRef } from '../tsk/raw.js';
import { ConfigError } from './config-error.js';
import { checkLeafItem, coerceEnvValue, describeLiteral, describeType, splitList, type Literal } from './scalar-check.js';
import { resolvedKeyName } from './schema.js';
import type { BlockSpec, KeySpec, LeafSpec, MapSpec } from './schema-types.js';
import type { RawValue } from './types.js';
import { child, whereText, type Where } from './where.js';

export interface ResolveContext {
  /** The .tsk file (or a stand-in) named by every error. */
  readonly source: string;
  readonly env: NodeJS.ProcessEnv;
}

type RawObject = { readonly [key: string]: RawValue };

const isObject = (raw: RawValue): raw is RawObject => raw !== null && typeof raw === 'object' && !Array.isArray(raw);

/** An environment variable's text; an empty variable counts as unset. */
export function envText(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const text = env[name];
  return text === undefined || text === '' ? undefined : text;
}

function fail(ctx: ResolveContext, where: Where, detail: string, variable?: string, at?: string): never {
  throw new ConfigError(ctx.source, whereText(where), detail, variable, at);
}

/** Where a missing required key was left unset by an `@env`: its position and variable. */
function unsetBy(raw: RawValue | undefined, env: NodeJS.ProcessEnv): { at?: string; variable: string } | undefined {
  for (let ref = raw; ref !== undefined && isRawEnvRef(ref); ref = ref.default) {
    if (envText(env, ref['@env']) !== undefined) return undefined;
    if (ref.default === undefined || ref.default === null) return { at: ref['@at'], variable: ref['@env'] };
  }
  return undefined;
}

/**
 * A raw value as the runtime uses it: `@env` read and coerced to the key's
 * type, durations in ms, keys renamed (see resolvedKeyName). In `partial`
 * mode (overrides) absent keys stay absent instead of taking defaults.
 * Returns undefined for an absent value.
 */
export function resolveValue(spec: KeySpec, raw: RawValue | undefined, where: Where, ctx: ResolveContext, partial: boolean): unknown {
  if (spec.kind === 'leaf') return raw === undefined ? undefined : resolveLeaf(spec, raw, where, ctx);
  if (spec.kind === 'block') return resolveBlock(spec, raw, where, ctx, partial);
  return resolveMap(spec, raw, where, ctx, partial);
}

/**
 * A checked leaf value; undefined when an unset @env's default is null and
 * the key does not take null (the key is then as if not written). An unset
 * @env without default is an error: a key is never dropped silently.
 */
export function resolveLeaf(spec: LeafSpec, raw: RawValue, where: Where, ctx: ResolveContext): unknown {
  if (isRawEnvRef(raw)) {
    const name = raw['@env'];
    const text = envText(ctx.env, name);
    if (text === undefined) {
      if (raw.default === undefined) {
        const hint = `set ${name}, or write @env(${JSON.stringify(name)}, default) (null leaves the key unset)`;
        fail(ctx, where, `@env(${JSON.stringify(name)}) has no default and ${name} is not set: ${hint}`, name, raw['@at']);
      }
      if (raw.default === null && !(spec.nullable && !spec.list)) return undefined;
      return resolveLeaf(spec, raw.default, where, ctx);
    }
    const checked = coerceEnvValue(spec, text, raw.default);
    if (!checked.ok) fail(ctx, where, `${name}=${spec.secret ? '<hidden>' : JSON.stringify(text)} ${checked.problem}`, name, raw['@at']);
    return checked.value;
  }
  if (spec.list && (typeof raw === 'string' || Array.isArray(raw))) {
    const items: readonly RawValue[] = typeof raw === 'string' ? splitList(raw) : raw;
    const single: LeafSpec = { ...spec, list: false };
    return items.map((item) => resolveLeaf(single, item, where, ctx)).filter((item) => item !== undefined);
  }
  if (raw === null && spec.nullable) return null;
  if (raw !== null && typeof raw === 'object') fail(ctx, where, `expected ${describeType(spec)}, got ${Array.isArray(raw) ? 'a list' : 'a block'}`);
  const checked = checkLeafItem(spec, raw as Literal);
  if (!checked.ok) fail(ctx, where, `${spec.secret ? 'the value' : describeLiteral(raw as Literal)} ${checked.problem}`);
  return checked.value;
}

function expectObject(raw: RawValue, where: Where, ctx: ResolveContext): RawObject {
  if (isRawEnvRef(raw)) fail(ctx, where, `@env(${JSON.stringify(raw['@env'])}) cannot stand for a block`);
  if (!isObject(raw)) fail(ctx, where, 'expected a block { ... }');
  return raw;
}

function resolveBlock(spec: BlockSpec, raw: RawValue | undefined, where: Where, ctx: ResolveContext, partial: boolean): unknown {
  if (raw === undefined) {
    if (partial) return undefined;
    if (spec.default === null) return null;
  }
  if (raw === null) {
    if (spec.nullable) return null;
    fail(ctx, where, 'expected a block { ... }, got null');
  }
  const object = raw === undefined ? {} : expectObject(raw, where, ctx);
  for (const key of Object.keys(object)) {
    if (!Object.hasOwn(spec.keys, key)) fail(ctx, where, `unknown key ${JSON.stringify(key)}`);
  }
  const inner = partial && !spec.whole;
  const checked = new Map<string, unknown>();
  const sibling = (key: string): unknown => checked.get(key);
  const out: Record<string, unknown> = {};
  for (const [key, keySpec] of Object.entries(spec.keys)) {
    const keyWhere = child(where, key);
    const written = Object.hasOwn(object, key) ? object[key] : undefined;
    let value = resolveValue(keySpec, written, keyWhere, ctx, inner);
    if (value === undefined && keySpec.kind === 'leaf') {
      if (keySpec.required) {
        const unset = unsetBy(written, ctx.env);
        const why = unset === undefined ? '' : `: ${unset.variable} is not set`;
        fail(ctx, where, `missing key ${JSON.stringify(key)} (${keySpec.meaning})${why}`, unset?.variable, unset?.at);
      }
      if (!inner && keySpec.default !== undefined) {
        const fallback = typeof keySpec.default === 'function' ? keySpec.default(sibling) : keySpec.default;
        value = resolveLeaf(keySpec, fallback, keyWhere, ctx);
      }
    }
    if (value === undefined) continue;
    checked.set(key, value);
    out[resolvedKeyName(key, keySpec)] = value;
  }
  const problem = spec.crossCheck?.(sibling);
  if (problem) fail(ctx, child(where, problem.key), `${describeLiteral(checked.get(problem.key) as Literal)} ${problem.problem}`);
  return out;
}

function resolveMap(spec: MapSpec, raw: RawValue | undefined, where: Where, ctx: ResolveContext, partial: boolean): unknown {
  if (raw === undefined) return partial ? undefined : {};
  const object = expectObject(raw, where, ctx);
  const entries: [string, unknown][] = [];
  for (const [key, value] of Object.entries(object)) {
    const resolved = resolveValue(spec.entry, value, child(where, key), ctx, partial || spec.partialEntries === true);
    if (resolved !== undefined) entries.push([key, resolved]);
  }
  return Object.fromEntries(entries);
}
