import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TSK_MAX_DEPTH, TskSyntaxError } from '../../../src/tsk/index.js';
import { assertErrorAt, raw, syntaxError } from './helpers.js';

test('the message is file:line:col: reason, then the source line and a caret under the column', () => {
  const error = syntaxError('[service]\nport: 1\nport: 2\n');
  assert.ok(error instanceof TskSyntaxError);
  assert.equal(error.file, 'test.tsk');
  assert.equal(error.reason, 'duplicate key "port" (first defined at line 2, column 1)');
  assert.equal(error.sourceLine, 'port: 2');
  assert.equal(error.shortMessage, 'test.tsk:3:1: duplicate key "port" (first defined at line 2, column 1)');
  assert.equal(error.message, 'test.tsk:3:1: duplicate key "port" (first defined at line 2, column 1)\n  port: 2\n  ^');
  const inner = syntaxError('[s]\nretry {\n    max: 10ms\n}\n');
  assert.equal(inner.message, 'test.tsk:3:10: invalid number "10ms" (strings, durations included, must be quoted)\n      max: 10ms\n           ^');
});

test('lexical errors point at the offending character', () => {
  assertErrorAt('[s]\na: 1 % 2\n', 2, 6, "unexpected character '%'");
  assertErrorAt('[s]\na: .5\n', 2, 4, "unexpected character '.'");
  assertErrorAt('[s]\na: 1.\n', 2, 4, 'invalid number "1."');
  assertErrorAt('[s]\na: 0x\n', 2, 4, 'invalid number "0x"');
  assertErrorAt('[s]\na: 1e999\n', 2, 4, 'out of range');
  assertErrorAt('[s]\na: -\n', 2, 4, "unexpected character '-'");
  assertErrorAt('a: "\u0001" \u0002\n', 1, 8, "unexpected character '\\u0002'");
  assertErrorAt('x: `ls`\n', 1, 4, 'backticks');
  assertErrorAt('/* no */\n', 1, 1, "unexpected character '/'");
  assertErrorAt('[s]\na: $\n', 2, 4, "expected a variable name after '$'");
});

test('string errors: unterminated, bad escapes', () => {
  assertErrorAt('[s]\na: "abc\nb: 1\n', 2, 4, 'unterminated string');
  assertErrorAt("[s]\na: 'abc", 2, 4, 'unterminated string');
  assertErrorAt('[s]\na: """abc\n\nb: 1\n', 2, 4, 'unterminated """ string');
  assertErrorAt('[s]\na: "x\\qy"\n', 2, 6, "invalid escape: backslash followed by 'q'");
  assertErrorAt('[s]\na: "\\u12G4"\n', 2, 5, 'invalid \\u escape');
  assertErrorAt('[s]\na: """\nok\n  \\x"""\n', 4, 3, 'invalid escape');
});

test('structural errors', () => {
  assertErrorAt('[s]\nkey 1\n', 2, 5, `expected ':', '=', '{' or '>' after "key", found number 1`);
  assertErrorAt('[s]\nkey:\n  "value"\n', 2, 5, 'missing value');
  assertErrorAt('[s]\nkey:', 2, 5, 'missing value');
  assertErrorAt('[s]\na: 1 2\n', 2, 6, 'expected end of line after an entry, found number 2');
  assertErrorAt('a: 1, b: 2\n', 1, 5, "expected end of line after an entry, found ','");
  assertErrorAt('[s]\na: 1; b: 2\n', 2, 7, 'expected end of line');
  assertErrorAt('[s]\nb { a: 1 c: 2 }\n', 2, 10, `expected ',', a new line or '}' after an entry, found "c"`);
  assertErrorAt('[s]\nb { a: 1,, c: 2 }\n', 2, 10, "expected a key, found ','");
  assertErrorAt('[s]\na: [1 2]\n', 2, 7, "expected ',' or ']' in an array, found number 2");
  assertErrorAt('[s]\na: [1,,2]\n', 2, 7, "expected a value, found ','");
  assertErrorAt('[s]\na: ]\n', 2, 4, "expected a value, found ']'");
  assertErrorAt('[s]\n: 1\n', 2, 1, "expected a key, found ':'");
  assertErrorAt('[s] x\n', 1, 5, 'expected end of line after a section header');
  assertErrorAt('[1]\n', 1, 2, "expected a section name after '[', found number 1");
  assertErrorAt('[""]\n', 1, 2, 'section name cannot be empty');
  assertErrorAt('[s\n', 1, 3, "expected ']' after section name");
  assertErrorAt('[s]\na: word\n', 2, 4, 'unquoted word "word": strings must be quoted');
});

test('an unclosed bracket is reported at its opening', () => {
  assertErrorAt('[s]\nb {\n  a: 1\n', 2, 3, "'{' is never closed");
  assertErrorAt('[s]\nb: { a: 1,\n', 2, 4, "'{' is never closed");
  assertErrorAt('[s]\nb >\n  a: 1\n', 2, 3, "'>' is never closed");
  assertErrorAt('[s]\nb: [1,\n2\n', 2, 4, "'[' is never closed");
  assertErrorAt('[s]\nb: @env("X", 1\n', 2, 8, "'(' is never closed");
  assertErrorAt('[s]\nb: @env("X"\n', 2, 8, "'(' is never closed");
});

test('duplicates: keys in one object, sections, variables', () => {
  assertErrorAt('[s]\nb { a: 1, a: 2 }\n', 2, 11, 'duplicate key "a" (first defined at line 2, column 5)');
  assertErrorAt('[s]\n"a": 1\na: 2\n', 3, 1, 'duplicate key "a"');
  assertErrorAt('[s]\na: 1\n[t]\n[s]\n', 4, 2, 'duplicate section "s" (first at line 1, column 2)');
  assertErrorAt('$v: 1\n[s]\n$v: 2\n', 3, 1, 'variable $v is already defined (at line 1, column 1)');
  // The same key in different objects is fine.
  assert.deepEqual(raw('[s]\na: 1\nb { a: 2 }\n[t]\na: 3\n'), { s: { a: 1, b: { a: 2 } }, t: { a: 3 } });
});

test('variables must be defined before use', () => {
  assertErrorAt('[s]\na: $later\n$later: 1\n', 2, 4, 'undefined variable $later');
  assertErrorAt('$x: $x\n', 1, 5, 'undefined variable $x');
});

test('@ directives other than @env and keys starting with @ are rejected: no code runs', () => {
  assertErrorAt('[s]\na: @file("/etc/passwd")\n', 2, 4, '@file is not supported: a descriptor never executes code');
  assertErrorAt('[s]\na: @query("select 1")\n', 2, 4, '@query is not supported');
  assertErrorAt('[s]\na: [1, @php("x")]\n', 2, 8, '@php is not supported');
  assertErrorAt('[s]\na: @ENV("X")\n', 2, 4, '@ENV is not supported');
  assertErrorAt('[s]\na: @env("X", @date("Y"))\n', 2, 14, '@date is not supported');
  assertErrorAt('[s]\na: @\n', 2, 4, "expected a name after '@'");
  assertErrorAt('[s]\n@env: 1\n', 2, 1, "a key cannot start with '@'");
  assertErrorAt('[s]\n"@env": "X"\n', 2, 1, "a key cannot start with '@'");
  assertErrorAt('["@x"]\n', 1, 2, "a key cannot start with '@'");
  assertErrorAt('[s]\na: @env(NAME)\n', 2, 9, '@env needs an environment variable name');
  assertErrorAt('[s]\na: @env("")\n', 2, 9, '@env needs an environment variable name');
  assertErrorAt('[s]\na: @env\n', 2, 8, "expected '(' after @env");
  assertErrorAt('[s]\na: @env("A", 1, 2)\n', 2, 17, "expected ')' to close @env(...), found number 2");
});

test('fujsen code blocks are rejected', () => {
  assertErrorAt('[s]\nfn: (x) => x * 2\n', 2, 5, 'code blocks (fujsen) are not allowed');
  assertErrorAt('[s]\nfn: function(x) { return x }\n', 2, 5, 'code blocks (fujsen) are not allowed');
  assertErrorAt('[s]\nfujsen: "x"\n', 2, 1, 'fujsen code blocks are not allowed');
  assertErrorAt('[s]\nb { validate_fujsen: """\n  return 1\n""" }\n', 2, 5, 'fujsen code blocks are not allowed');
  assertErrorAt('[s]\na: [(1)]\n', 2, 5, 'code blocks (fujsen) are not allowed');
});

test('nesting deeper than the limit is an error, also through variables', () => {
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  assert.ok(raw(`[s]\na: ${nested(TSK_MAX_DEPTH)}\n`));
  assertErrorAt(`[s]\na: ${nested(TSK_MAX_DEPTH + 1)}\n`, 2, 4 + TSK_MAX_DEPTH, `nesting deeper than ${TSK_MAX_DEPTH} levels`);
  const objects = (levels: number) => `${'{ b: '.repeat(levels)}1${' }'.repeat(levels)}`;
  assert.ok(raw(`[s]\na: ${objects(TSK_MAX_DEPTH)}\n`));
  assertErrorAt(`[s]\na: ${objects(TSK_MAX_DEPTH + 1)}\n`, 2, 4 + 5 * TSK_MAX_DEPTH, 'nesting deeper');
  assertErrorAt(`$v: ${nested(TSK_MAX_DEPTH)}\n[s]\na: [$v]\n`, 3, 5, 'nesting deeper than 64 levels (through variable $v)');
  // Huge nesting fails cleanly instead of overflowing the stack.
  assertErrorAt(`[s]\na: ${'['.repeat(100_000)}\n`, 2, 4 + TSK_MAX_DEPTH, 'nesting deeper');
});

test('variables cannot expand exponentially', () => {
  const lines = ['$v0: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]'];
  for (let index = 1; index <= 30; index++) lines.push(`$v${index}: [$v${index - 1}, $v${index - 1}]`);
  const error = syntaxError(lines.join('\n'));
  assert.match(error.reason, /more than 1000000 values after substituting variables/);
});

test('long or unprintable words are cut short and escaped so the reason stays one line', () => {
  const error = syntaxError(`[s]\n"${'k'.repeat(100)}\\n": 1\n"${'k'.repeat(100)}\\n": 2\n`);
  assert.ok(!error.reason.includes('\n'));
  assert.ok(error.reason.length < 120, error.reason);
});

test('on CRLF lines a position at the end of the line stays on the quoted line', () => {
  const error = assertErrorAt('[s]\r\na:\r\nb: 1\r\n', 2, 3, 'missing value');
  assert.equal(error.sourceLine, 'a:');
  assert.equal(assertErrorAt('[s]\r\na:\r', 2, 3, 'missing value').message, 'test.tsk:2:3: missing value after \':\' (a value starts on the same line as its key)\n  a:\n    ^');
  assertErrorAt('[s]\r\nb {\r\n  a: 1 2\r\n}\r\n', 3, 8, 'found number 2');
});
