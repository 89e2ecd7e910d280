import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTsk, printTsk, toRawDocument, toRawValue, isRawEnvRef } from '../../../src/tsk/index.js';
import { FILE, raw } from './helpers.js';

test('printTsk writes canonical text: root first, sections, blocks, inline values', () => {
  const text = printTsk({
    '': { top: 1 },
    service: {
      name: 'user.v1.UserService',
      port: { '@env': 'USER_PORT', default: 0 },
      metadata: { region: { '@env': 'REGION' }, weight: 100, deep: { x: [] } },
      empty: {},
      list: [1, 'a', null, true, [2], { k: 'v', 'q k': {} }, { '@env': 'E', default: { a: 1 } }],
    },
    'my section': { 'a key': -0, 'x-y': 1.5e-7, big: 1e21 },
    none: {},
  });
  assert.equal(text, [
    'top: 1',
    '',
    '[service]',
    'name: "user.v1.UserService"',
    'port: @env("USER_PORT", 0)',
    'metadata {',
    '    region: @env("REGION")',
    '    weight: 100',
    '    deep {',
    '        x: []',
    '    }',
    '}',
    'empty {}',
    'list: [1, "a", null, true, [2], { k: "v", "q k": {} }, @env("E", { a: 1 })]',
    '',
    '["my section"]',
    '"a key": -0',
    'x-y: 1.5e-7',
    'big: 1e+21',
    '',
    '[none]',
    '',
  ].join('\n'));
});

test('printed strings escape quotes, backslashes, control characters and lone surrogates', () => {
  const value = 'q"\\\n\t\r\u0000\u007f\ud800x😀é\'';
  const text = printTsk({ s: { v: value } });
  assert.equal(text, '[s]\nv: "q\\"\\\\\\n\\t\\r\\u0000\\u007f\\ud800x😀é\'"\n');
  assert.deepEqual(raw(text), { s: { v: value } });
});

test('printTsk refuses what .tsk cannot express', () => {
  assert.throws(() => printTsk({ s: 1 }), TypeError);
  assert.throws(() => printTsk({ '': [1] }), TypeError);
  assert.throws(() => printTsk({ s: { '@x': 1 } }), TypeError);
  assert.throws(() => printTsk({ s: { fujsen: 1 } }), TypeError);
  assert.throws(() => printTsk({ s: { a: Number.NaN } }), TypeError);
  assert.throws(() => printTsk({ s: { a: Infinity } }), TypeError);
});

test('toRawValue and isRawEnvRef', () => {
  const doc = parseTsk('[s]\na: @env("A")\nb: @env("B", [1])\n', FILE);
  const section = doc.sections[0].value;
  assert.deepEqual(toRawValue(section), { a: { '@env': 'A' }, b: { '@env': 'B', default: [1] } });
  assert.ok(isRawEnvRef({ '@env': 'A' }));
  assert.ok(isRawEnvRef({ '@env': 'A', default: null }));
  assert.ok(!isRawEnvRef({ '@env': 'A', other: 1 }));
  assert.ok(!isRawEnvRef({ '@env': 1 }));
  assert.ok(!isRawEnvRef(['@env']));
});

test('a key named __proto__ stays a plain data key', () => {
  const document = toRawDocument(parseTsk('[s]\n__proto__: { a: 1 }\n', FILE));
  const section = document.s as Record<string, unknown>;
  assert.ok(Object.hasOwn(section, '__proto__'));
  assert.equal(Object.getPrototypeOf(section), Object.prototype);
  assert.deepEqual(raw(printTsk(document)), document);
});
