// The gateway's edge policies against real TuskServers: CORS preflights answered at the edge, [auth] refusals
// that never reach a handler, a valid token reaching the handler's ctx.principal, X-Forwarded-For believed
// only from a trusted proxy, and rate limit refusals with their headers and google.rpc.Status body.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashApiKey } from '../../../src/security/auth/index.js';
import { AUDIENCE, ISSUER, signToken, signingKey, type SigningKey } from '../security/auth-fixtures.js';
import { calls, generateEdgeCatalog, type Backend, type Catalog } from './edge-fixture.js';

let dir: string;
let key: SigningKey;
let catalog: Catalog;
let open: Backend;
let secured: Backend;
let jwt: { issuer: string; audience: string[]; jwks_file: string; algorithms: string[] };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-gateway-edge-'));
  key = await signingKey('edge-1');
  await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.publicJwk] }));
  await writeFile(join(dir, 'keys.json'), JSON.stringify([{ sha256: hashApiKey('good-key'), subject: 'bot', scopes: ['catalog:read'] }]));
  jwt = { issuer: ISSUER, audience: [AUDIENCE], jwks_file: join(dir, 'jwks.json'), algorithms: ['ES256'] };
  catalog = await generateEdgeCatalog();
  open = await catalog.backend();
  secured = await catalog.backend({ auth: { jwt } });
});
after(async () => {
  await catalog?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

async function tsk(name: string, lines: readonly string[]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

async function call(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

const corsHeaders = (headers: Headers): string[] => [...headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS', () => {
  let base: string;
  before(async () => {
    const config = await tsk('cors.tsk', [
      '[cors]', 'allow_origins: ["http://app.test"]', 'allow_methods: ["GET", "POST"]', 'allow_headers: ["authorization", "content-type"]', 'allow_credentials: true', 'max_age: "10m"',
    ]);
    ({ base } = await open.gateway({ config }));
  });

  test('an allowed preflight is answered at the edge with the configured headers', async () => {
    const before = calls(open);
    const { status, headers } = await call(base, 'OPTIONS', '/v1/items/sku-1', { origin: 'http://app.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' });
    assert.equal(status, 204);
    assert.equal(headers.get('access-control-allow-origin'), 'http://app.test');
    assert.equal(headers.get('access-control-allow-credentials'), 'true');
    assert.equal(headers.get('access-control-allow-methods'), 'GET,POST');
    assert.equal(headers.get('access-control-allow-headers'), 'authorization,content-type');
    assert.equal(headers.get('access-control-max-age'), '600');
    assert.equal(calls(open), before, 'a preflight reached the upstream');
  });

  test('a preflight from an origin not listed gets no CORS headers and reaches nothing', async () => {
    const before = calls(open);
    const { status, headers } = await call(base, 'OPTIONS', '/fixture.gateway.v1.CatalogService/Echo', { origin: 'http://evil.test', 'access-control-request-method': 'POST' });
    assert.equal(status, 204);
    assert.deepEqual(corsHeaders(headers), []);
    assert.equal(calls(open), before);
  });

  test('actual calls: the listed origin is echoed and headers exposed; another origin gets none', async () => {
    const allowed = await call(base, 'GET', '/v1/items/sku-1', { origin: 'http://app.test' });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'http://app.test');
    assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /ratelimit-remaining/);
    const other = await call(base, 'GET', '/v1/items/sku-1', { origin: 'http://evil.test' });
    assert.equal(other.status, 200);
    assert.deepEqual(corsHeaders(other.headers), []);
  });
});

describe('[auth] at the edge', () => {
  let base: string;
  let upstreamChecked: string;
  before(async () => {
    const authLines = [
      '[auth]', `jwt { issuer: "${ISSUER}", audience: ["${AUDIENCE}"], jwks_file: "${jwt.jwks_file}", algorithms: ["ES256"] }`,
      `api_keys { file: "${join(dir, 'keys.json')}" }`, 'default_scopes: ["catalog:read"]', '',
      '[methods]', 'DeleteItem { scopes: ["catalog:write"] }', 'SearchItems { public: true }',
    ];
    // In front of a backend without [auth]: only the edge can refuse, so a refusal proves the edge did it.
    ({ base } = await open.gateway({ config: await tsk('auth.tsk', authLines) }));
    ({ base: upstreamChecked } = await secured.gateway({ config: await tsk('auth-secured.tsk', authLines) }));
  });

  test('no credentials, a bad token, an unknown API key: 401 with the JSON Status, the upstream never called', async () => {
    const before = calls(open);
    const none = await call(base, 'GET', '/v1/items/sku-1');
    assert.equal(none.status, 401);
    assert.equal(none.json.code, 16);
    assert.equal(none.json.details[0]['@type'], 'type.googleapis.com/google.rpc.ErrorInfo');
    assert.equal(none.json.details[0].reason, 'NO_CREDENTIALS');
    const forged = await call(base, 'GET', '/v1/items/sku-1', { authorization: 'Bearer not.a.token' });
    assert.equal(forged.status, 401);
    const unknownKey = await call(base, 'GET', '/v1/items/sku-1', { 'x-api-key': 'wrong-key' });
    assert.equal(unknownKey.status, 401);
    assert.equal(unknownKey.json.details[0].reason, 'API_KEY_UNKNOWN');
    const connect = await call(base, 'POST', '/fixture.gateway.v1.CatalogService/Echo', { 'content-type': 'application/json' }, '{}');
    assert.equal(connect.status, 401);
    assert.equal(connect.json.code, 'unauthenticated');
    assert.equal(connect.headers.get('grpc-status'), '16');
    const unknownRoute = await call(base, 'GET', '/v1/nothing-here');
    assert.equal(unknownRoute.status, 401, 'an anonymous caller learns nothing about routes');
    assert.equal(calls(open), before);
  });

  test('a token without the method\'s scope: 403 naming it; the upstream never called', async () => {
    const before = calls(open);
    const token = await signToken(key, { scope: 'catalog:read' });
    const { status, json } = await call(base, 'DELETE', '/v1/items/sku-1', { authorization: `Bearer ${token}` });
    assert.equal(status, 403);
    assert.equal(json.code, 7);
    assert.equal(json.details[0].metadata.missing_scopes, 'catalog:write');
    assert.equal(calls(open), before);
  });

  test('a public method passes without credentials; a good API key passes', async () => {
    const before = calls(open);
    assert.equal((await call(base, 'GET', '/v1/items:search?query=a')).status, 200);
    assert.equal((await call(base, 'GET', '/v1/items/sku-2', { 'x-api-key': 'good-key' })).status, 200);
    assert.equal(calls(open), before + 2);
  });

  test('a valid token is forwarded: the upstream checks it too and its handler sees ctx.principal', async () => {
    const token = await signToken(key, { sub: 'alice', scope: 'catalog:read' });
    const { status } = await call(upstreamChecked, 'GET', '/v1/items/sku-3', { authorization: `Bearer ${token}` });
    assert.equal(status, 200);
    const seen = secured.seen.at(-1)!;
    assert.equal(seen.request.sku, 'sku-3');
    assert.equal(seen.ctx.principal?.subject, 'alice');
    assert.equal(seen.ctx.principal?.kind, 'jwt');
  });
});

describe('X-Forwarded-For and the ip key', () => {
  let trusted: string;
  let untrusted: string;
  before(async () => {
    const limit = ['[rate_limit]', 'requests: 1', 'window: "60s"', 'key: "ip"'];
    ({ base: trusted } = await open.gateway({ config: await tsk('xff-trusted.tsk', ['[gateway]', 'trusted_proxies: ["127.0.0.1"]', '', ...limit]) }));
    ({ base: untrusted } = await open.gateway({ config: await tsk('xff-untrusted.tsk', limit) }));
  });

  test('from a trusted proxy each forwarded client has its own limit; the 429 carries the headers and RetryInfo', async () => {
    const before = calls(open);
    const first = await call(trusted, 'GET', '/v1/items/a', { 'x-forwarded-for': '198.51.100.9, 203.0.113.5' });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-limit'), '1');
    assert.equal(first.headers.get('ratelimit-remaining'), '0');
    const again = await call(trusted, 'GET', '/v1/items/a', { 'x-forwarded-for': '203.0.113.5' });
    assert.equal(again.status, 429);
    assert.equal(again.json.code, 8);
    assert.ok(Number(again.headers.get('retry-after')) >= 1 && Number(again.headers.get('retry-after')) <= 60);
    assert.equal(again.headers.get('ratelimit-reset'), again.headers.get('retry-after'));
    assert.equal(again.json.details[0]['@type'], 'type.googleapis.com/google.rpc.RetryInfo');
    const other = await call(trusted, 'GET', '/v1/items/a', { 'x-forwarded-for': '203.0.113.6' });
    assert.equal(other.status, 200);
    assert.equal(calls(open), before + 2);
  });

  test('from any other peer X-Forwarded-For is ignored: the peer\'s address is the key', async () => {
    assert.equal((await call(untrusted, 'GET', '/v1/items/a', { 'x-forwarded-for': '203.0.113.5' })).status, 200);
    assert.equal((await call(untrusted, 'GET', '/v1/items/a', { 'x-forwarded-for': '203.0.113.6' })).status, 429);
  });
});
