import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTsk, type TskValue } from '../../../src/tsk/index.js';
import { FILE, raw } from './helpers.js';

/** The plain value of `v: <text>` in a section. */
function value(text: string): unknown {
  return (raw(`[s]\nv: ${text}\n`).s as Record<string, unknown>).v;
}

/** The parsed node of the first entry of section [s]. */
function node(source: string): TskValue {
  const section = parseTsk(source, FILE).sections[0].value;
  assert.equal(section.kind, 'object');
  return section.kind === 'object' ? section.entries[0].value : section;
}

test('strings in double and single quotes with every escape', () => {
  assert.equal(value('"plain"'), 'plain');
  assert.equal(value("'single \"inner\"'"), 'single "inner"');
  assert.equal(value('"a\\nb\\tc\\rd\\\\e\\"f\\\'g"'), 'a\nb\tc\rd\\e"f\'g');
  assert.equal(value("'\\''"), "'");
  assert.equal(value('"\\u00e9\\u20AC"'), 'é€');
  assert.equal(value('"\\ud83d\\ude00"'), '😀');
  assert.equal(value('""'), '');
  assert.equal(value('"$var and @env(\\"X\\") stay text"'), '$var and @env("X") stay text');
  assert.equal(value('"tab\tinside"'), 'tab\tinside');
});

test('triple-quoted strings span lines, drop the first newline, keep escapes and indentation', () => {
  assert.equal(value('"""\n  line one\n  line "two"\n"""'), '  line one\n  line "two"\n');
  assert.equal(value('"""inline"""'), 'inline');
  assert.equal(value('"""a\\tb\\"""c"""'), 'a\tb"""c');
  const doc = raw('[s]\nv: """x\ny"""\nafter: 1\n');
  assert.deepEqual(doc, { s: { v: 'x\ny', after: 1 } });
  const section = parseTsk('[s]\nv: """x\ny"""\nafter: 1\n', FILE).sections[0].value;
  assert.ok(section.kind === 'object');
  assert.deepEqual(section.entries[1].keyPos, { file: FILE, line: 4, column: 1 });
});

test('numbers: integer, decimal, exponent, hex, negative', () => {
  assert.equal(value('0'), 0);
  assert.equal(value('42'), 42);
  assert.equal(value('-17'), -17);
  assert.equal(value('1.25'), 1.25);
  assert.equal(value('-0.5'), -0.5);
  assert.equal(value('2e3'), 2000);
  assert.equal(value('1.5E-2'), 0.015);
  assert.equal(value('1e+21'), 1e21);
  assert.equal(value('0x1F'), 31);
  assert.equal(value('0Xff'), 255);
  assert.equal(value('-0x10'), -16);
  assert.ok(Object.is(value('-0'), -0));
});

test('true, false and null', () => {
  assert.deepEqual(raw('[s]\na: true\nb: false\nc: null\n'), { s: { a: true, b: false, c: null } });
  assert.equal(node('[s]\nv: false\n').kind, 'boolean');
  assert.equal(node('[s]\nv: null\n').kind, 'null');
});

test('arrays span lines, nest, allow trailing commas and comments', () => {
  assert.deepEqual(value('[]'), []);
  assert.deepEqual(value('[1, "two", [3, []], { a: 1 }, null]'), [1, 'two', [3, []], { a: 1 }, null]);
  assert.deepEqual(value('[\n  "UNAVAILABLE", # why\n  "DEADLINE_EXCEEDED",\n\n]'), ['UNAVAILABLE', 'DEADLINE_EXCEEDED']);
  assert.deepEqual(value('[\n1\n,\n2]'), [1, 2]);
  assert.deepEqual(value('[{\n  a: 1\n  b: 2\n}, {}]'), [{ a: 1, b: 2 }, {}]);
});

test('inline objects span lines and nest', () => {
  assert.deepEqual(value('{}'), {});
  assert.deepEqual(value('{ a: 1, b = { c: [true] }, "q k": "v", }'), { a: 1, b: { c: [true] }, 'q k': 'v' });
  assert.deepEqual(value('{\n  a: 1\n  b { c: 2 }\n  d >\n e: 3\n <\n}'), { a: 1, b: { c: 2 }, d: { e: 3 } });
});

test('@env keeps a deferred reference with an optional default of any kind', () => {
  assert.deepEqual(value('@env("PORT")'), { '@env': 'PORT' });
  assert.deepEqual(value('@env("PORT", 8080)'), { '@env': 'PORT', default: 8080 });
  assert.deepEqual(value("@env('X', null)"), { '@env': 'X', default: null });
  assert.deepEqual(value('@env("X", { a: [1] })'), { '@env': 'X', default: { a: [1] } });
  assert.deepEqual(value('@env("A", @env("B", "b"))'), { '@env': 'A', default: { '@env': 'B', default: 'b' } });
  assert.deepEqual(value('@env(\n  "X",\n  "d",\n)'), { '@env': 'X', default: 'd' });
  assert.deepEqual(value('@env("X",)'), { '@env': 'X' });
  const env = node('[s]\nv: @env("X", 1)\n');
  assert.equal(env.kind, 'env');
  if (env.kind !== 'env') return;
  assert.equal(env.name, 'X');
  assert.deepEqual(env.pos, { file: FILE, line: 2, column: 4 });
  assert.deepEqual(env.fallback?.pos, { file: FILE, line: 2, column: 14 });
});

test('variables: file-global, defined before use, not entries, substituted at the reference position', () => {
  const source = [
    '$region: "eu"',
    '$port = @env("PORT", 8080)',
    '[service]',
    '$list: [$region, 2]',
    'region: $region',
    'port: $port',
    'meta { $inner: { a: 1 }, r: $region }',
    '[other]',
    'list: $list',
    'inner: $inner',
  ].join('\n');
  assert.deepEqual(raw(source), {
    service: { region: 'eu', port: { '@env': 'PORT', default: 8080 }, meta: { r: 'eu' } },
    other: { list: ['eu', 2], inner: { a: 1 } },
  });
  const doc = parseTsk(source, FILE);
  const other = doc.sections[1].value;
  assert.ok(other.kind === 'object');
  assert.deepEqual(other.entries[0].value.pos, { file: FILE, line: 9, column: 7 });
  assert.deepEqual(doc.root.entries, []);
});
