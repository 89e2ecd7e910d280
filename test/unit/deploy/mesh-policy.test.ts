// Pure mapping from descriptor policy to Istio objects: balancers, breakers,
// bulkheads, retry conditions, and the AuthorizationPolicy's rules for the
// security work's `public` / `scopes` keys, read from the raw descriptor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawDescriptor } from '../../../src/config/index.js';
import { destinationRule } from '../../../generator/deploy/istio/destination-rule.js';
import { envoyRetryOn, protoDuration } from '../../../generator/deploy/istio/mesh-policy.js';
import { authorizationPolicy } from '../../../generator/deploy/istio/security.js';
import { virtualService } from '../../../generator/deploy/istio/virtual-service.js';
import { target } from './target-fixture.js';
import { requestAuthentication } from '../../../generator/deploy/istio/request-authentication.js';
import { validateManifest } from '../../../generator/deploy/index.js';

const CALLERS = [{ name: 'web', serviceAccount: 'web', namespace: 'shop' }];

test('balancers map to Envoy\'s: p2c_ewma and least_request to LEAST_REQUEST, ring_hash to consistentHash on a header', () => {
  const lb = (balancer: string) => destinationRule(target({ client: { balancer } })).spec!.trafficPolicy!.loadBalancer;
  assert.deepEqual(lb('p2c_ewma'), { simple: 'LEAST_REQUEST' });
  assert.deepEqual(lb('least_request'), { simple: 'LEAST_REQUEST' });
  assert.deepEqual(lb('round_robin'), { simple: 'ROUND_ROBIN' });
  assert.deepEqual(lb('random'), { simple: 'RANDOM' });
  assert.equal((lb('ring_hash') as { consistentHash: { httpHeaderName: string } }).consistentHash.httpHeaderName, 'x-tusk-hash-key');
});

test('the breaker becomes outlier detection, and a bulkhead a connection pool; no bulkhead, no pool', () => {
  const policy = destinationRule(target({ client: { circuit_breaker: { threshold: 7, half_open_after: '30s', on: ['UNAVAILABLE', 'INTERNAL'] }, bulkhead: { max_concurrent: 64, queue: 16 } } })).spec!.trafficPolicy!;
  assert.deepEqual(policy.outlierDetection, { consecutive5xxErrors: 7, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 }, 'INTERNAL is a 5xx, not a gateway error');
  assert.deepEqual(policy.connectionPool, { http: { http2MaxRequests: 64, http1MaxPendingRequests: 16 } });
  const defaults = destinationRule(target({})).spec!.trafficPolicy!;
  assert.equal(defaults.connectionPool, undefined);
  assert.equal(defaults.outlierDetection!.consecutiveGatewayErrors, 5);
});

test('retry conditions: only codes Envoy can retry on; none means no retries even when idempotent', () => {
  assert.equal(envoyRetryOn(['UNAVAILABLE', 'DEADLINE_EXCEEDED']), 'connect-failure,refused-stream,unavailable,deadline-exceeded');
  assert.equal(envoyRetryOn(['ABORTED']), undefined);
  const routes = virtualService(target({ client: { retry: { on: ['ABORTED'] } }, methods: { GetCart: { idempotent: true } } })).spec!.http!;
  assert.deepEqual(routes.find((route) => route.name === 'GetCart')!.retries, { attempts: 0 });
  assert.equal(protoDuration(1666), '1.666s');
  assert.equal(protoDuration(25), '0.025s');
});

test('without [auth], callers may call everything; nobody at all means no rule (deny)', () => {
  assert.deepEqual(authorizationPolicy(target({}), CALLERS, []).spec!.rules, [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }]);
  assert.deepEqual(authorizationPolicy(target({}), [], []).spec!.rules, []);
});

test('public methods are open to anyone; scoped methods need every scope (one condition each) from a caller', () => {
  const raw: RawDescriptor = {
    auth: { jwt: { issuer: 'https://issuer.example', audience: 'cart', jwks_url: 'https://issuer.example/.well-known/jwks.json' }, default_scopes: ['cart:read'] },
    methods: { GetCart: { public: true }, Checkout: { scopes: ['cart:write', 'payments:charge'] } },
  };
  const rules = authorizationPolicy(target(raw), CALLERS, [{ namespace: 'istio-system', serviceAccount: 'gateway' }]).spec!.rules!;
  const principals = ['cluster.local/ns/istio-system/sa/gateway', 'cluster.local/ns/shop/sa/web'];
  assert.deepEqual(rules, [
    { to: [{ operation: { paths: ['/shop.v1.CartService/GetCart'] } }] },
    { from: [{ source: { principals } }], to: [{ operation: { paths: ['/grpc.health.v1.Health/*'] } }] },
    {
      from: [{ source: { principals } }],
      to: [{ operation: { paths: ['/shop.v1.CartService/AddItem'] } }],
      when: [{ key: 'request.auth.claims[scope]', values: ['cart:read'] }],
    },
    {
      from: [{ source: { principals } }],
      to: [{ operation: { paths: ['/shop.v1.CartService/Checkout'] } }],
      when: [{ key: 'request.auth.claims[scope]', values: ['cart:write'] }, { key: 'request.auth.claims[scope]', values: ['payments:charge'] }],
    },
  ]);
});

test('scopes the mesh cannot verify (no [auth] jwt, or a jwks_file) are left to the service: callers only', async () => {
  for (const auth of [undefined, { jwt: { issuer: 'https://issuer.example', jwks_file: 'jwks.json' } }]) {
    const raw: RawDescriptor = { ...(auth ? { auth } : {}), methods: { Checkout: { scopes: ['cart:write'] } } };
    assert.equal(requestAuthentication(target(raw)), undefined);
    const rules = authorizationPolicy(target(raw), CALLERS, []).spec!.rules!;
    assert.deepEqual(rules, [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }]);
  }
});

test('[auth] jwt with a jwks_url becomes a RequestAuthentication that forwards the token and splits scope', async () => {
  const raw: RawDescriptor = { auth: { jwt: { issuer: { '@env': 'JWT_ISSUER', default: 'https://issuer.example' }, audience: 'cart', jwks_url: 'https://issuer.example/jwks.json' } } };
  const policy = requestAuthentication(target(raw))!;
  await validateManifest(policy);
  assert.deepEqual(policy.spec!.jwtRules, [{ issuer: 'https://issuer.example', jwksUri: 'https://issuer.example/jwks.json', audiences: ['cart'], forwardOriginalToken: true, spaceDelimitedClaims: ['scope'] }]);
});
