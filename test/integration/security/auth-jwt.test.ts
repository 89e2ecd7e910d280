// JWT bearer tokens against a real TuskServer, real grpc-js clients sending
// `authorization` by hand, and a JWKS served by a local HTTP server.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SignJWT, UnsecuredJWT, base64url } from 'jose';
import { Code } from '../../../src/status/codes.js';
import { tuskMetrics } from '../../../src/telemetry/metrics.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { AUDIENCE, ISSUER, JwksServer, countUpStatus, signToken, signingKey, unaryStatus, type SigningKey } from './auth-fixtures.js';

let jwks: JwksServer;
let fixture: EchoServerFixture;
let keyA: SigningKey;
/** Every token sent, to check none of them reaches a log line. */
const tokensSent: string[] = [];

const bearer = (token: string) => {
  tokensSent.push(token);
  return { authorization: `Bearer ${token}` };
};

before(async () => {
  jwks = await JwksServer.start();
  keyA = await signingKey('key-a');
  jwks.keys = [keyA.publicJwk];
  fixture = await startEchoServer({}, {
    server: { reflection: false },
    auth: {
      jwt: { issuer: ISSUER, audience: [AUDIENCE], jwks_url: jwks.url, algorithms: ['ES256'], jwks_cooldown: '0s', jwks_refresh: '1s' },
      default_scopes: ['echo:read'],
    },
    methods: { Create: { public: true }, CountUp: { scopes: ['echo:read', 'echo:stream'] } },
  });
});

after(async () => {
  await fixture?.close();
  await jwks?.close();
});

async function refusals(code: string, reason: string): Promise<number> {
  const metric = await tuskMetrics().registry.getSingleMetric('tusk_server_auth_refusals_total')!.get();
  return metric.values.filter((value) => value.labels.code === code && value.labels.reason === reason).reduce((sum, value) => sum + value.value, 0);
}

test('a valid token: the call runs with ctx.principal, and the access log names the subject', async () => {
  const token = await signToken(keyA, { sub: 'alice', scope: 'echo:read other' });
  const before = fixture.service.calls.length;
  const status = await unaryStatus(fixture.client, 'echo', bearer(token));
  assert.equal(status.code, Code.OK, status.details);
  const principal = fixture.service.calls[before]!.ctx.principal;
  assert.equal(principal?.kind, 'jwt');
  assert.equal(principal?.subject, 'alice');
  assert.deepEqual(principal?.scopes, ['echo:read', 'other']);
  assert.equal(principal?.claims.iss, ISSUER);
  await waitUntil(() => fixture.logs.find((line) => line.msg === 'call finished' && line.method === 'Echo' && line.subject === 'alice'), 5_000, 'the access log line with the subject');
});

test('no token: UNAUTHENTICATED with an ErrorInfo, the handler never runs, an audit line and a count', async () => {
  const before = fixture.service.calls.length;
  const counted = await refusals('UNAUTHENTICATED', 'no_credentials');
  const status = await unaryStatus(fixture.client, 'echo');
  assert.equal(status.code, Code.UNAUTHENTICATED);
  assert.equal(status.errorInfo?.reason, 'NO_CREDENTIALS');
  assert.equal(fixture.service.calls.length, before);
  assert.equal(await refusals('UNAUTHENTICATED', 'no_credentials'), counted + 1);
  const audit = fixture.logs.filter((line) => line.audit === true && line.reason === 'no_credentials');
  assert.ok(audit.length >= 1);
  assert.equal(audit.at(-1)!.method, 'Echo');
  assert.equal(audit.at(-1)!.service, 'test.v1.EchoService');
  assert.equal(audit.at(-1)!.code, 'UNAUTHENTICATED');
});

test('expired, wrong audience, wrong issuer, alg none, HMAC confusion, garbage: UNAUTHENTICATED each, for its reason', async () => {
  const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'mallory', scope: 'echo:read' };
  const unsecured = new UnsecuredJWT({ scope: 'echo:read' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('mallory').setExpirationTime('5m').encode();
  // Algorithm confusion: HS256 keyed with the public key's bytes, claiming the real key's kid.
  const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: keyA.kid }).setExpirationTime('5m')
    .sign(base64url.decode(keyA.publicJwk.x!));
  const cases: [string, Record<string, string>, string][] = [
    ['expired', bearer(await signToken(keyA, { expiresIn: -120, scope: 'echo:read' })), 'TOKEN_EXPIRED'],
    ['wrong audience', bearer(await signToken(keyA, { aud: 'billing', scope: 'echo:read' })), 'TOKEN_WRONG_AUDIENCE'],
    ['wrong issuer', bearer(await signToken(keyA, { iss: 'https://evil.test/', scope: 'echo:read' })), 'TOKEN_WRONG_ISSUER'],
    ['alg none', bearer(unsecured), 'TOKEN_ALGORITHM_NOT_ALLOWED'],
    ['HS256 with the public key', bearer(confused), 'TOKEN_ALGORITHM_NOT_ALLOWED'],
    ['not a JWT', bearer('not.a.jwt'), 'MALFORMED_CREDENTIALS'],
    ['not a bearer scheme', { authorization: 'Basic dXNlcjpwYXNz' }, 'MALFORMED_CREDENTIALS'],
  ];
  const before = fixture.service.calls.length;
  for (const [name, headers, reason] of cases) {
    const status = await unaryStatus(fixture.client, 'echo', headers);
    assert.equal(status.code, Code.UNAUTHENTICATED, name);
    assert.equal(status.errorInfo?.reason, reason, name);
  }
  assert.equal(fixture.service.calls.length, before, 'no handler ran');
});

test('a valid token without the scope: PERMISSION_DENIED naming it, with an audit line naming the subject', async () => {
  const status = await unaryStatus(fixture.client, 'echo', bearer(await signToken(keyA, { sub: 'bob', scp: ['echo:write'] })));
  assert.equal(status.code, Code.PERMISSION_DENIED);
  assert.equal(status.errorInfo?.reason, 'MISSING_SCOPE');
  assert.equal(status.errorInfo?.metadata?.missing_scopes, 'echo:read');
  assert.match(status.details, /echo:read/);
  const audit = fixture.logs.filter((line) => line.audit === true && line.reason === 'missing_scope').at(-1);
  assert.equal(audit?.subject, 'bob');
  assert.equal(audit?.method, 'Echo');
  assert.ok((await refusals('PERMISSION_DENIED', 'missing_scope')) >= 1);
});

test('server streaming: refused when the stream opens, before any message, without running the handler', async () => {
  const pulled = fixture.service.pulled;
  const countUps = () => fixture.service.calls.filter((call) => call.method === 'CountUp').length;
  const before = countUps();
  const anonymous = await countUpStatus(fixture.client, 3);
  assert.equal(anonymous.code, Code.UNAUTHENTICATED);
  assert.equal(anonymous.received, 0);
  const partial = await countUpStatus(fixture.client, 3, bearer(await signToken(keyA, { scope: 'echo:read' })));
  assert.equal(partial.code, Code.PERMISSION_DENIED);
  assert.equal(partial.errorInfo?.metadata?.missing_scopes, 'echo:stream');
  assert.equal(partial.received, 0);
  assert.equal(countUps(), before);
  assert.equal(fixture.service.pulled, pulled);
  const allowed = await countUpStatus(fixture.client, 3, bearer(await signToken(keyA, { scope: 'echo:read echo:stream' })));
  assert.equal(allowed.code, Code.OK);
  assert.equal(allowed.received, 3);
});

test('a public method and the health check need no token', async () => {
  const before = fixture.service.calls.length;
  assert.equal((await unaryStatus(fixture.client, 'create')).code, Code.OK);
  assert.equal(fixture.service.calls[before]!.ctx.principal, undefined);
  const health = await new Promise<grpc.ServiceError | null>((resolve) =>
    fixture.client.makeUnaryRequest('/grpc.health.v1.Health/Check', (request: Buffer) => request, (response: Buffer) => response, Buffer.alloc(0), (error) => resolve(error)),
  );
  assert.equal(health, null);
});

test('a rotated key: a token with a new kid makes the server fetch the key set again', async () => {
  const keyB = await signingKey('key-b');
  jwks.keys = [keyA.publicJwk, keyB.publicJwk];
  const fetched = jwks.requests;
  const status = await unaryStatus(fixture.client, 'echo', bearer(await signToken(keyB, { sub: 'carol', scope: 'echo:read' })));
  assert.equal(status.code, Code.OK, status.details);
  assert.ok(jwks.requests > fetched, 'the JWKS was fetched again');
  const unknown = await unaryStatus(fixture.client, 'echo', bearer(await signToken(await signingKey('key-never-published'), { scope: 'echo:read' })));
  assert.equal(unknown.code, Code.UNAUTHENTICATED);
  assert.equal(unknown.errorInfo?.reason, 'TOKEN_UNKNOWN_KEY');
});

test('the IdP unreachable: the last good key set stays in use', async () => {
  jwks.up = false;
  // jwks_refresh is 1s: calls go on succeeding while the background refresh fails.
  await waitUntil(async () => {
    const status = await unaryStatus(fixture.client, 'echo', bearer(await signToken(keyA, { scope: 'echo:read' })));
    assert.equal(status.code, Code.OK, status.details);
    return jwks.failedRequests > 0;
  }, 10_000, 'a failed JWKS refresh');
  const after = await unaryStatus(fixture.client, 'echo', bearer(await signToken(keyA, { sub: 'dave', scope: 'echo:read' })));
  assert.equal(after.code, Code.OK, after.details);
  await waitUntil(() => fixture.logs.find((line) => line.msg === 'JWKS refresh failed, keeping the last good key set'), 5_000, 'the refresh failure logged');
  const unknown = await unaryStatus(fixture.client, 'echo', bearer(await signToken(await signingKey('key-c'), { scope: 'echo:read' })));
  assert.equal(unknown.code, Code.UNAUTHENTICATED);
  assert.equal(unknown.errorInfo?.reason, 'KEYS_UNAVAILABLE');
  jwks.up = true;
});

test('no token, nor any part of one, appears in the logs', () => {
  const logged = JSON.stringify(fixture.logs);
  assert.ok(tokensSent.length > 5);
  for (const token of tokensSent) {
    for (const part of token.split('.').filter((piece) => piece.length > 8)) assert.ok(!logged.includes(part), 'a token part was logged');
  }
  assert.ok(!logged.includes('dXNlcjpwYXNz'));
});

test('unknown kids refetch at most once per cool-down', async () => {
  const idp = await JwksServer.start();
  idp.keys = [keyA.publicJwk];
  const cooled = await startEchoServer({}, {
    server: { reflection: false },
    auth: { jwt: { issuer: ISSUER, audience: [AUDIENCE], jwks_url: idp.url, algorithms: ['ES256'], jwks_cooldown: '1m' } },
  });
  try {
    assert.equal((await unaryStatus(cooled.client, 'echo', bearer(await signToken(keyA)))).code, Code.OK);
    assert.equal(idp.requests, 1, 'the first call fetched the key set');
    const stranger = await signingKey('key-stranger');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const status = await unaryStatus(cooled.client, 'echo', bearer(await signToken(stranger)));
      assert.equal(status.errorInfo?.reason, 'TOKEN_UNKNOWN_KEY');
    }
    assert.equal(idp.requests, 1, 'no refetch within the cool-down');
  } finally {
    await cooled.close();
    await idp.close();
  }
});
