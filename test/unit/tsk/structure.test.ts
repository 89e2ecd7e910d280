import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTsk } from '../../../src/tsk/index.js';
import { FILE, raw } from './helpers.js';

test('root entries come before the first section and go under ""', () => {
  assert.deepEqual(raw('a: 1\nb = "x"\n\n[s]\nc: true\n'), { '': { a: 1, b: 'x' }, s: { c: true } });
});

test('no root key when there are no root entries; empty sections stay', () => {
  assert.deepEqual(raw('# only a comment\n[one]\n[two]\nx: null\n'), { one: {}, two: { x: null } });
  assert.deepEqual(raw(''), {});
});

test('sections keep source order and positions; quoted section names', () => {
  const doc = parseTsk('[b]\n["a b"]  # comment\nk: 1\n', FILE);
  assert.deepEqual(doc.sections.map((s) => s.key), ['b', 'a b']);
  assert.deepEqual(doc.sections[1].keyPos, { file: FILE, line: 2, column: 2 });
  assert.deepEqual(doc.sections[1].value.pos, { file: FILE, line: 2, column: 1 });
  assert.equal(doc.sections[1].value.kind, 'object');
});

test('keys: identifiers with digits, dashes and underscores, and quoted strings', () => {
  assert.deepEqual(raw('[s]\n_a-b_9: 1\n"with space": 2\n\'single\': 3\ntrue: 4\n'), {
    s: { '_a-b_9': 1, 'with space': 2, single: 3, true: 4 },
  });
});

test('nested blocks: name { }, key: { }, angle blocks, any mix and depth', () => {
  const source = [
    '[client]',
    'retry {',
    '    max_attempts: 3',
    '    inner: {',
    '        deep >',
    '            x = 1',
    '        <',
    '    }',
    '}',
    'empty {}',
    'angle >',
    '  a: [1]',
    '<',
  ].join('\n');
  assert.deepEqual(raw(source), {
    client: { retry: { max_attempts: 3, inner: { deep: { x: 1 } } }, empty: {}, angle: { a: [1] } },
  });
});

test('inside blocks entries are separated by commas and/or newlines; trailing commas; blank lines; comments', () => {
  const source = '[m]\nGetUser { timeout: "300ms", idempotent: true, }\nB {\n\n  a: 1,\n  # comment\n  b: 2 // trailing\n\n  c: 3,\n}\nC { x: 1,\n y: 2 }\n';
  assert.deepEqual(raw(source), {
    m: { GetUser: { timeout: '300ms', idempotent: true }, B: { a: 1, b: 2, c: 3 }, C: { x: 1, y: 2 } },
  });
});

test('an optional ; may end an entry, in sections and blocks', () => {
  assert.deepEqual(raw('[s]\na: 1;\nb { c: 2;\n  d: 3; }\ne: "x" ; # c\n'), { s: { a: 1, b: { c: 2, d: 3 }, e: 'x' } });
});

test('comments: # and //, whole-line and after values; not inside strings', () => {
  const source = '# top\n// top too\n[s] # after header\na: "# not a comment" # real\nb: \'// not either\' // real\nc: 1#tight\n';
  assert.deepEqual(raw(source), { s: { a: '# not a comment', b: '// not either', c: 1 } });
});

test('CRLF line endings and a byte order mark', () => {
  const source = '\uFEFF[s]\r\na: 1\r\nb {\r\n  c: "x"\r\n}\r\nt: """\r\nl1\r\nl2"""\r\n';
  assert.deepEqual(raw(source), { s: { a: 1, b: { c: 'x' }, t: 'l1\nl2' } });
  const doc = parseTsk(source, FILE);
  assert.deepEqual(doc.sections[0].value.kind === 'object' && doc.sections[0].value.entries[1].keyPos, { file: FILE, line: 3, column: 1 });
});

test('entries keep key and value positions', () => {
  const doc = parseTsk('x: 1\n[s]\n  key = [ 1,\n  2 ]\n', FILE);
  const entry = doc.root.entries[0];
  assert.deepEqual(entry.keyPos, { file: FILE, line: 1, column: 1 });
  assert.deepEqual(entry.value.pos, { file: FILE, line: 1, column: 4 });
  const section = doc.sections[0].value;
  assert.equal(section.kind, 'object');
  if (section.kind !== 'object') return;
  const array = section.entries[0].value;
  assert.deepEqual(section.entries[0].keyPos, { file: FILE, line: 3, column: 3 });
  assert.equal(array.kind, 'array');
  if (array.kind !== 'array') return;
  assert.deepEqual(array.pos, { file: FILE, line: 3, column: 9 });
  assert.deepEqual(array.items[1].pos, { file: FILE, line: 4, column: 3 });
});

test('indentation with tabs counts one column per tab; headers may be indented', () => {
  const doc = parseTsk('  [s]\n\t\tkey: 1\n', FILE);
  assert.equal(doc.sections[0].key, 's');
  const section = doc.sections[0].value;
  assert.ok(section.kind === 'object');
  assert.deepEqual(section.entries[0].keyPos, { file: FILE, line: 2, column: 3 });
  assert.deepEqual(section.entries[0].value.pos, { file: FILE, line: 2, column: 8 });
});

test('a document of root entries only', () => {
  assert.deepEqual(raw('$v: 2\na: $v\nb { c: [$v] }\n'), { '': { a: 2, b: { c: [2] } } });
});
