import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareSpecificity, matchPathTemplate, parsePathTemplate } from '../../../src/gateway/path-template.js';

const match = (template: string, path: string) => {
  const bindings = matchPathTemplate(parsePathTemplate(template), path);
  return bindings === undefined ? undefined : Object.fromEntries(bindings);
};

describe('path templates', () => {
  test('a {field} variable binds one segment, decoded', () => {
    assert.deepEqual(match('/v1/items/{sku}', '/v1/items/a%2Fb'), { sku: 'a/b' });
    assert.equal(match('/v1/items/{sku}', '/v1/items'), undefined);
    assert.equal(match('/v1/items/{sku}', '/v1/items/'), undefined);
    assert.equal(match('/v1/items/{sku}', '/v1/items/a/b'), undefined);
  });

  test('dotted field paths, several variables', () => {
    assert.deepEqual(match('/v1/{shelf.id}/items/{item.sku}', '/v1/s1/items/i2'), { 'shelf.id': 's1', 'item.sku': 'i2' });
  });

  test('{name=items/*} binds several segments to one field, with literals checked', () => {
    assert.deepEqual(match('/v1/{name=shelves/*/items/*}', '/v1/shelves/1/items/2'), { name: 'shelves/1/items/2' });
    assert.equal(match('/v1/{name=shelves/*/items/*}', '/v1/boxes/1/items/2'), undefined);
  });

  test('* and ** outside variables; ** takes the rest, even nothing', () => {
    assert.deepEqual(match('/v1/*/items', '/v1/any/items'), {});
    assert.deepEqual(match('/v1/{path=**}', '/v1/a/b/c'), { path: 'a/b/c' });
    assert.deepEqual(match('/v1/files/**', '/v1/files'), {});
  });

  test('a :verb suffix must be there, and is not part of the last variable', () => {
    assert.deepEqual(match('/v1/items/{sku}:lookup', '/v1/items/a:lookup'), { sku: 'a' });
    assert.equal(match('/v1/items/{sku}:lookup', '/v1/items/a'), undefined);
    assert.deepEqual(match('/v1/items:search', '/v1/items:search'), {});
    assert.equal(match('/v1/items:search', '/v1/items'), undefined);
    assert.equal(parsePathTemplate('/v1/{name=a/*}:cancel').verb, 'cancel');
  });

  test('syntax errors are refused with a reason', () => {
    assert.throws(() => parsePathTemplate('v1/items'), /starts with "\/"/);
    assert.throws(() => parsePathTemplate('/v1/{sku'), /unbalanced/);
    assert.throws(() => parsePathTemplate('/v1/{1sku}'), /bad field path/);
    assert.throws(() => parsePathTemplate('/v1/**/items'), /only be the last segment/);
    assert.throws(() => parsePathTemplate('/v1//items'), /empty segment/);
    assert.throws(() => parsePathTemplate('/v1/{a={b}}'), /unbalanced/);
  });

  test('a literal is more specific than *, * than **, a verb than none', () => {
    const sorted = ['/v1/{path=**}', '/v1/{sku}', '/v1/items', '/v1/{sku}:get'].map(parsePathTemplate).sort(compareSpecificity).map((t) => t.source);
    assert.deepEqual(sorted, ['/v1/items', '/v1/{sku}:get', '/v1/{sku}', '/v1/{path=**}']);
  });
});
