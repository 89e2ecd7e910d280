// [auth] and the [methods] access keys: validated at generate time with
// file:line:col, resolved at load time, turned into one access rule per path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../../../src/config/issues.js';
import { resolveDescriptor } from '../../../src/config/resolve-descriptor.js';
import { validateDescriptorDocument, type ProtoFileInfo } from '../../../src/config/validate-document.js';
import { createAuthStage } from '../../../src/security/auth/auth-stage.js';
import { methodAccessTable, OPEN } from '../../../src/security/auth/method-access.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { parseTsk } from '../../../src/tsk/index.js';
import { echoDescriptor } from '../../helpers/echo-service.js';

const FILE = 'proto/inv/v1/inv.tsk';
const PROTO: ProtoFileInfo = { file: 'proto/inv/v1/inv.proto', services: [{ name: 'inv.v1.Inv', methods: [{ name: 'Get', kind: 'unary' }, { name: 'Put', kind: 'unary' }] }] };
const errorsOf = (text: string) => validateDescriptorDocument(parseTsk(text, FILE), PROTO).errors.map(formatIssue);

test('a well-formed [auth] and method access keys validate', () => {
  const text = [
    '[auth]',
    'jwt { issuer: "https://idp.test/", audience: ["inv"], jwks_url: "https://idp.test/jwks", algorithms: ["ES256"], clock_tolerance: "5s" }',
    'api_keys { file: "/etc/keys.json" }',
    'mtls { scopes: ["inv:read"] }',
    'default_scopes: ["inv:read"]',
    'protect_reflection: true',
    '[methods]',
    'Get { public: true }',
    'Put { scopes: ["inv:write"] }',
  ].join('\n');
  assert.deepEqual(errorsOf(text), []);
});

test('alg none, HMAC, both key sources and a bad method key are errors at their position', () => {
  assert.deepEqual(errorsOf('[auth]\njwt { issuer: "i", audience: ["a"], jwks_file: "k.json", algorithms: ["none"] }'), [
    `${FILE}:2:71: [auth] jwt.algorithms: "none" is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519`,
  ]);
  assert.match(errorsOf('[auth]\njwt { issuer: "i", audience: ["a"], jwks_file: "k.json", algorithms: ["HS256"] }')[0] ?? '', /:2:71: \[auth\] jwt\.algorithms: "HS256" is not one of/);
  const both = errorsOf('[auth]\njwt { issuer: "i", audience: ["a"], jwks_file: "k.json", jwks_url: "https://x/j" }');
  assert.equal(both.length, 1);
  assert.match(both[0]!, /^proto\/inv\/v1\/inv\.tsk:2:\d+: \[auth\] jwt\.jwks_file: .*choose one/);
  assert.match(errorsOf('[methods]\nGet { public: "yes" }')[0] ?? '', /:2:15: \[methods\] Get\.public: "yes" is not/);
});

test('resolution: absent [auth] is null; present gets its defaults', () => {
  assert.equal(resolveDescriptor({}, null, 'inv.v1.Inv').auth, null);
  const auth = resolveDescriptor({ auth: { api_keys: { file: 'k.json' } } }, null, 'inv.v1.Inv').auth;
  assert.deepEqual(auth, { jwt: null, apiKeys: { file: 'k.json' }, mtls: null, defaultScopes: [], protectReflection: false });
  assert.throws(() => resolveDescriptor({ auth: { jwt: { issuer: 'i', audience: ['a'] } } }, 'x.tsk', 'inv.v1.Inv'), /jwks_file.*jwks_url/);
});

test('access rules: public methods, listed scopes, default scopes, health open, unknown paths need a caller', () => {
  const descriptor = echoDescriptor();
  const config = resolveDescriptor(
    { auth: { api_keys: { file: 'k.json' }, default_scopes: ['echo:read'] }, methods: { Create: { public: true }, Chat: { scopes: ['echo:chat', 'echo:write'] } } },
    null, descriptor.name,
  );
  const { byPath, fallback } = methodAccessTable([{ descriptor, config }]);
  assert.equal(byPath.get('/test.v1.EchoService/Create'), OPEN);
  assert.deepEqual((byPath.get('/test.v1.EchoService/Echo') as { scopes: readonly string[] }).scopes, ['echo:read']);
  assert.deepEqual((byPath.get('/test.v1.EchoService/Chat') as { scopes: readonly string[] }).scopes, ['echo:chat', 'echo:write']);
  assert.equal(byPath.get('/grpc.health.v1.Health/Check'), OPEN);
  assert.equal(byPath.get('/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo'), OPEN);
  assert.equal(fallback.open, false);

  const protectedReflection = resolveDescriptor({ auth: { api_keys: { file: 'k.json' }, protect_reflection: true } }, null, descriptor.name);
  assert.equal(methodAccessTable([{ descriptor, config: protectedReflection }]).byPath.get('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo')?.open, false);

  const open = methodAccessTable([{ descriptor, config: resolveDescriptor({}, null, descriptor.name) }]);
  assert.equal(open.byPath.get('/test.v1.EchoService/Echo'), OPEN);
  assert.equal(open.fallback, OPEN);
});

test('without [auth] in any hosted service there is no auth stage at all', () => {
  const descriptor = echoDescriptor();
  assert.equal(createAuthStage([{ descriptor, config: resolveDescriptor({}, null, descriptor.name) }], { logger: createLogger({ level: 'silent' }) }), undefined);
});
