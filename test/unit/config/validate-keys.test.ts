// Every key of the schema, fed a value of the wrong type, yields exactly one
// error at that value's position naming the section and key; its right-typed
// value and its own default yield none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTsk } from '../../../src/tsk/index.js';
import { DESCRIPTOR_SCHEMA } from '../../../src/config/schema.js';
import type { BlockSpec, KeySpec, LeafSpec } from '../../../src/config/schema-types.js';
import { validateDescriptorDocument, type ProtoFileInfo } from '../../../src/config/validate-document.js';
import { formatIssue } from '../../../src/config/issues.js';

const PROTO: ProtoFileInfo = { file: 'test/v1/keys.proto', services: [{ name: 'test.v1.Keys', methods: [{ name: 'GetThing', kind: 'unary' }] }] };

function goodItem(spec: LeafSpec): string {
  switch (spec.type.kind) {
    case 'string': return '"x"';
    case 'number': return spec.type.max !== undefined && spec.type.max < 1 ? String(spec.type.max) : '1'; // a ratio below 1 (backoff_ratio)
    case 'boolean': return 'true';
    case 'duration': return '"1s"';
    case 'enum': return JSON.stringify(spec.type.values[0]);
    case 'code': return '"UNAVAILABLE"';
    case 'metadata': return '"x"';
  }
}
const good = (spec: LeafSpec): string => (spec.list ? `[${goodItem(spec)}]` : goodItem(spec));
/** [service] name must also name a service of the proto; a JWKS URL must be http(s). */
/** A key with a rule of its own ([deploy] quantities, "namespace/serviceaccount") takes its reference example, which passes it. */
const goodFor = (keyCase: { path: string; spec: LeafSpec }): string =>
  keyCase.path === 'service.name'
    ? '"test.v1.Keys"'
    : keyCase.path === 'auth.jwt.jwks_url'
      ? '"https://idp.test/jwks.json"'
      : keyCase.spec.check && keyCase.spec.example
        ? keyCase.spec.example
        : good(keyCase.spec);

/** A wrong value and the start of the complaint about it. */
function bad(spec: LeafSpec): string {
  if (spec.list) return spec.type.kind === 'code' ? '["NOPE"]' : '[1]';
  switch (spec.type.kind) {
    case 'string': return '5';
    case 'number': return '"x"';
    case 'boolean': return '"yes"';
    case 'duration': return '"5 sec"';
    case 'enum': return '"nope"';
    case 'code': return '"NOPE"';
    case 'metadata': return '[1]';
  }
}

interface KeyCase { path: string; where: string; lines: string[]; line: number; column: number; spec: LeafSpec; value: string }

/** Builds the smallest document that places `value` at one key, with any required siblings filled in. */
function* keyCases(): Generator<Omit<KeyCase, 'value' | 'line' | 'column'> & { place: (value: string) => { lines: string[]; line: number; column: number } }> {
  function* walk(spec: KeySpec, header: string[], keyPath: string[], wherePath: string[], indent: string, section: string): Generator<any> {
    if (spec.kind === 'leaf') {
      const key = keyPath[keyPath.length - 1]!;
      yield {
        path: `${section}.${wherePath.join('.')}`,
        where: `[${section}] ${wherePath.join('.')}`,
        spec,
        place: (value: string) => {
          const lines = [...header, `${indent}${key}: ${value}`];
          return { lines, line: lines.length, column: indent.length + key.length + 3 };
        },
      };
      return;
    }
    if (spec.kind === 'map') {
      const name = spec.entryName === 'method' ? 'GetThing' : spec.entryName === 'dependency' ? 'things' : 'region';
      const opens = spec.entry.kind === 'leaf' ? header : [...header, `${indent}${name} {`];
      yield* walk(spec.entry, opens, [...keyPath, name], [...wherePath, name], spec.entry.kind === 'leaf' ? indent : `${indent}  `, section);
      return;
    }
    for (const [key, child] of Object.entries(spec.keys)) {
      const required = Object.entries(spec.keys)
        .filter(([other, s]) => other !== key && s.kind === 'leaf' && s.required)
        .map(([other, s]) => `${indent}  ${other}: ${good(s as LeafSpec)}`);
      const inner = child.kind === 'leaf' ? [...header, ...required] : [...header, ...required, `${indent}  ${key} {`];
      if (child.kind === 'leaf') yield* walk(child, inner, [...keyPath, key], [...wherePath, key], `${indent}  `, section);
      else if (child.kind === 'map') yield* walk(child, [...header, ...required, `${indent}  ${key} {`], [...keyPath, key], [...wherePath, key], `${indent}    `, section);
      else yield* walk(child, inner, [...keyPath, key], [...wherePath, key], `${indent}    `, section);
    }
  }
  for (const [section, spec] of Object.entries(DESCRIPTOR_SCHEMA)) {
    if (spec.kind === 'block') {
      for (const [key, child] of Object.entries(spec.keys)) {
        const required = Object.entries(spec.keys).filter(([o, s]) => o !== key && s.kind === 'leaf' && s.required).map(([o, s]) => `${o}: ${good(s as LeafSpec)}`);
        if (child.kind === 'leaf') yield* walk(child, [`[${section}]`, ...required], [key], [key], '', section);
        else yield* walk(child, [`[${section}]`, ...required, `${key} {`], [key], [key], '  ', section);
      }
    } else {
      yield* walk(spec, [`[${section}]`], [], [], '', section);
    }
  }
}

/** Closes every `{` the builder opened. */
function close(lines: string[]): string {
  const opened = lines.filter((line) => line.trimEnd().endsWith('{')).length;
  return [...lines, ...Array.from({ length: opened }, () => '}')].join('\n');
}

function validate(text: string) {
  return validateDescriptorDocument(parseTsk(text, 'keys.tsk'), PROTO);
}

const cases = [...keyCases()];

test('the walk reaches every leaf key of the schema (sanity: nested blocks and maps included)', () => {
  const paths = cases.map((c) => c.path);
  for (const expected of ['service.port', 'service.metadata.region', 'client.retry.on', 'client.bulkhead.queue', 'methods.GetThing.retry.budget',
    'dependencies.things.service', 'dependencies.things.methods.GetThing.timeout', 'dependencies.things.discovery.endpoints', 'telemetry.metrics_port']) {
    assert.ok(paths.includes(expected), `${expected} in ${paths.join(' ')}`);
  }
  assert.ok(cases.length >= 70, `${cases.length} keys`);
});

for (const keyCase of cases) {
  test(`${keyCase.path}: a wrong type is one error at the value, a right one is none`, () => {
    const wrong = keyCase.place(bad(keyCase.spec));
    const result = validate(close(wrong.lines));
    assert.equal(result.errors.length, 1, result.errors.map(formatIssue).join('\n'));
    const [issue] = result.errors;
    assert.equal(`${issue!.line}:${issue!.column}`, `${wrong.line}:${keyCase.spec.list ? wrong.column + 1 : wrong.column}`, formatIssue(issue!));
    assert.ok(issue!.message.startsWith(`${keyCase.where}: `), issue!.message);
    assert.equal(result.raw, null);

    const right = validate(close(keyCase.place(goodFor(keyCase)).lines));
    assert.deepEqual(right.errors.map(formatIssue), []);
    assert.notEqual(right.raw, null);

    // Fixed at generation time, @env is rejected: the service (validate-document.test.ts), the typed events (event-declarations.test.ts).
    if (['service.name', 'events.publishes', 'subscriptions.region.event'].includes(keyCase.path)) return;
    const wrapped = validate(close(keyCase.place(`@env("SOME_VAR", ${bad(keyCase.spec)})`).lines));
    assert.equal(wrapped.errors.length, 1, 'an @env default is type-checked too');
    assert.ok(wrapped.errors[0]!.message.includes('@env("SOME_VAR") default'), wrapped.errors[0]!.message);
    assert.deepEqual(validate(close(keyCase.place('@env("SOME_VAR")').lines)).errors, [], 'an @env without default is accepted');
  });
}

test('every default in the schema passes its own key\'s checks', () => {
  const defaults = cases.filter((c) => c.spec.default !== undefined && c.spec.default !== null && typeof c.spec.default !== 'function');
  assert.ok(defaults.length > 20);
  for (const keyCase of defaults) {
    const text = close(keyCase.place(JSON.stringify(keyCase.spec.default)).lines);
    assert.deepEqual(validate(text).errors.map(formatIssue), [], keyCase.path);
  }
});

test('blocks and maps reject scalars where a block belongs', () => {
  const blocks = Object.entries((DESCRIPTOR_SCHEMA.client as BlockSpec).keys).filter(([, s]) => s.kind === 'block');
  for (const [key] of blocks) {
    const result = validate(`[client]\n${key}: 5\n`);
    assert.deepEqual(result.errors.map(formatIssue), [`keys.tsk:2:${key.length + 3}: [client] ${key}: expected a block { ... }, got 5`]);
  }
});
