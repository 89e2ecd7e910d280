import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DESCRIPTOR_SCHEMA, formatIssue, renderDescriptorReference, validateDescriptorDocument, type BlockSpec, type DescriptorValidation, type KeySpec, type LeafSpec, type ProtoFileInfo } from '../../../src/config/index.js';
import { parseTsk } from '../../../src/tsk/index.js';

const docPath = fileURLToPath(new URL('../../../docs/descriptor-reference.md', import.meta.url));

test('docs/descriptor-reference.md is what the schema renders (UPDATE_DOCS=1 rewrites it)', () => {
  const rendered = renderDescriptorReference();
  if (process.env.UPDATE_DOCS === '1') writeFileSync(docPath, rendered);
  assert.equal(readFileSync(docPath, 'utf8'), rendered);
});

test('every default is written out: computed ones, and what the keys of override entries inherit', () => {
  const rendered = renderDescriptorReference();
  assert.ok(!rendered.includes('depends'), 'no default reads "depends"');
  const defaultOf = (key: string): string => {
    const row = rendered.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
    assert.ok(row, `no row for ${key}`);
    return row.split(' | ')[2]!;
  };
  assert.equal(defaultOf('circuit_breaker.threshold'), '`5` (consecutive), `0.5` (sampling)');
  assert.equal(defaultOf('dir'), '`tusk-grpc-registry-<uid>` in the OS temp folder (mode 0700)');
  // [methods] entries take the [client] value; idempotent is the method's own.
  assert.equal(defaultOf('<method>.timeout'), 'from [client]');
  assert.equal(defaultOf('<method>.retry.max_attempts'), 'from [client]');
  assert.equal(defaultOf('<method>.idempotent'), '`false`');
  // [dependencies] entries override the target: what they leave out is the target's.
  assert.equal(defaultOf('<dependency>.timeout'), "the target's");
  assert.equal(defaultOf('<dependency>.circuit_breaker.threshold'), "the target's");
  assert.equal(defaultOf('<dependency>.methods.<method>.idempotent'), "the target's");
  assert.equal(defaultOf('<dependency>.discovery.prefix'), "the target's");
  assert.equal(defaultOf('<dependency>.service'), '(required)');
  // A bulkhead is all or nothing: written in an entry, its own defaults apply.
  assert.equal(defaultOf('<dependency>.bulkhead.queue'), '`0`');
  assert.equal(defaultOf('<dependency>.bulkhead { }'), "the target's");
});

test('only the keys the TUSK_* variables really override name them: not the same keys inside a [dependencies] entry', () => {
  const rows = renderDescriptorReference().split('\n').filter((line) => line.startsWith('| `'));
  const naming = rows.filter((row) => /\(env TUSK_/.test(row)).map((row) => row.split(' | ')[0]!.slice(3, -1));
  assert.deepEqual(naming.sort(), ['advertise_host', 'broker', 'ca', 'cert', 'client_auth', 'dir', 'dir', 'endpoints', 'key', 'log_level', 'mtls { }', 'password', 'provider', 'servers', 'tls.ca', 'tls.cert', 'tls.key', 'username']);
});

test('the reference names every contract key of DESIGN.md', () => {
  const rendered = renderDescriptorReference();
  for (const key of ['`name`', '`port`', '`provider`', '`ttl`', '`shutdown_grace`', '`balancer`', '`retry.max_attempts`', '`circuit_breaker.half_open_after`', '`<method>.idempotent`', '`<dependency>.service`']) {
    assert.ok(rendered.includes(key), `missing ${key}`);
  }
});

// Every leaf's example must be real: written into a minimal descriptor at its
// key (with the required siblings of its blocks), it parses and validates.

/** A name for each map's author-chosen keys; a new map in the schema must add one here. */
const MAP_KEY_NAMES: Readonly<Record<string, string>> = { method: 'GetUser', dependency: 'billing', 'metadata key': 'region', variable: 'USERS_MAX_ATTEMPTS', subscription: 'onOrderPlaced' };

interface LeafAt {
  /** .tsk keys from the section down, map keys replaced by MAP_KEY_NAMES. */
  readonly path: readonly string[];
  readonly spec: LeafSpec;
  /** The blocks around the leaf, each with its path, to fill in their required keys. */
  readonly blocks: readonly { readonly path: readonly string[]; readonly spec: BlockSpec }[];
}

function leavesOf(spec: KeySpec, path: readonly string[], blocks: LeafAt['blocks'], out: LeafAt[]): LeafAt[] {
  if (spec.kind === 'leaf') out.push({ path, spec, blocks });
  else if (spec.kind === 'map') {
    const key = MAP_KEY_NAMES[spec.entryName];
    assert.ok(key !== undefined, `no example key for map entries named "${spec.entryName}" (${path.join('.')})`);
    leavesOf(spec.entry, [...path, key], blocks, out);
  } else {
    for (const [key, child] of Object.entries(spec.keys)) leavesOf(child, [...path, key], [...blocks, { path, spec }], out);
  }
  return out;
}

const LEAVES = Object.entries(DESCRIPTOR_SCHEMA).flatMap(([section, spec]) => leavesOf(spec, [section], [], []));

/** Nested keys to .tsk values (as written); rendered as sections and `key { }` blocks. */
interface Tree { [key: string]: Tree | string }

function setAt(tree: Tree, path: readonly string[], value: string): void {
  let node = tree;
  for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Tree;
  node[path.at(-1)!] ??= value;
}

function renderTree(tree: Tree, indentation: string): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${indentation}${key}: ${value}`] : [`${indentation}${key} {`, ...renderTree(value, `${indentation}  `), `${indentation}}`],
  );
}

/** The smallest descriptor that sets `leaf` to `value`: the leaf first, then the required keys of each block around it. */
function documentSetting(leaf: LeafAt, value: string): string {
  const tree: Tree = {};
  setAt(tree, leaf.path, value);
  for (const block of leaf.blocks) {
    for (const [key, child] of Object.entries(block.spec.keys)) {
      if (child.kind === 'leaf' && child.required) setAt(tree, [...block.path, key], child.example ?? 'null');
    }
  }
  return Object.entries(tree)
    .flatMap(([section, body]) => [`[${section}]`, ...renderTree(body as Tree, '')])
    .join('\n');
}

/** One service, named by the example of [service] name, with the method MAP_KEY_NAMES uses. */
function protoFile(): ProtoFileInfo {
  const serviceName = LEAVES.find((leaf) => leaf.path.join('.') === 'service.name')?.spec.example;
  assert.ok(serviceName !== undefined, '[service] name has no example');
  return { file: 'user/v1/user.proto', services: [{ name: JSON.parse(serviceName) as string, methods: [{ name: MAP_KEY_NAMES.method!, kind: 'unary' }] }] };
}

function validate(text: string): DescriptorValidation {
  return validateDescriptorDocument(parseTsk(text, 'user/v1/user.tsk'), protoFile());
}

test('every leaf key of the schema has an example', () => {
  assert.ok(LEAVES.length > 30);
  const missing = LEAVES.filter((leaf) => leaf.spec.example === undefined).map((leaf) => leaf.path.join('.'));
  assert.deepEqual(missing, []);
});

test('every example parses as .tsk and passes validation at its key, where a wrong value would not', () => {
  for (const leaf of LEAVES) {
    const text = documentSetting(leaf, leaf.spec.example!);
    assert.deepEqual(validate(text).errors.map(formatIssue), [], `example of ${leaf.path.join('.')} in:\n${text}`);
    const wrong = documentSetting(leaf, '{ not_a_value: 1 }');
    assert.notDeepEqual(validate(wrong).errors, [], `an object at ${leaf.path.join('.')} should be refused:\n${wrong}`);
  }
});
