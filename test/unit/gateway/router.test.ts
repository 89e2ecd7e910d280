import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GatewayService } from '../../../src/gateway/http-rules.js';
import { parsePathTemplate } from '../../../src/gateway/path-template.js';
import { RestRouter } from '../../../src/gateway/router.js';

/** Only what the router reads of a service: names and bindings. */
function service(name: string, methods: Record<string, [httpMethod: string, template: string][]>): GatewayService {
  return {
    descriptor: { name },
    methods: Object.entries(methods).map(([method, rules]) => ({
      runtime: { name: method },
      bindings: rules.map(([httpMethod, template]) => ({ httpMethod, template: parsePathTemplate(template), body: '', responseBody: '' })),
    })),
  } as unknown as GatewayService;
}

const router = new RestRouter([
  service('shop.v1.Items', { Get: [['GET', '/v1/items/{sku}']], Search: [['GET', '/v1/items:search']], Create: [['POST', '/v1/items']], Files: [['GET', '/v1/{path=**}']] }),
]);

const found = (httpMethod: string, path: string) => {
  const match = router.match(httpMethod, path);
  return match.kind === 'found' ? match.route.method.runtime.name : match.kind;
};

test('the most specific template wins; HEAD is GET', () => {
  assert.equal(found('GET', '/v1/items/a'), 'Get');
  assert.equal(found('GET', '/v1/items:search'), 'Search');
  assert.equal(found('GET', '/v1/other/thing'), 'Files');
  assert.equal(found('HEAD', '/v1/items/a'), 'Get');
});

test('a path known for other methods is wrong-method with the allowed ones; an unknown one not-found', () => {
  assert.deepEqual(router.match('DELETE', '/v1/items'), { kind: 'wrong-method', allowed: ['GET', 'POST'] });
  assert.deepEqual(router.match('GET', '/v2/items'), { kind: 'not-found' });
});

test('two rules that match the same requests are refused, naming both methods', () => {
  assert.throws(
    () => new RestRouter([service('a.v1.S', { One: [['GET', '/v1/{id}']] }), service('b.v1.T', { Two: [['GET', '/v1/{name}']] })]),
    /b\.v1\.T\.Two: google\.api\.http get "\/v1\/\{name\}" matches the same requests as a rule of a\.v1\.S\.One/,
  );
  assert.doesNotThrow(() => new RestRouter([service('a.v1.S', { One: [['GET', '/v1/{id}'], ['POST', '/v1/{id}'], ['GET', '/v1/{id}:undo']] })]));
});
