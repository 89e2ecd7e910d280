// [tls], its TUSK_TLS_* overrides, per-target tls in [dependencies] and client options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineService, formatIssue, resolveDescriptor, validateDescriptorText } from '../../../src/config/index.js';
import { effectiveClientTls, tlsConnectionAgeOption, TLS_DEFAULT_MAX_CONNECTION_AGE_MS } from '../../../src/security/tls/index.js';
import { stubMethods } from '../../helpers/stub-methods.js';

const resolve = (raw: object, env: NodeJS.ProcessEnv = {}) => resolveDescriptor(raw as never, 'a/v1/a.tsk', 'a.v1.A', env);

test('[tls] resolves paths, client_auth and reload_interval; unset keys are null, "none" and 5 s', () => {
  assert.deepEqual(resolve({}).tls, { cert: null, key: null, ca: null, clientAuth: 'none', reloadIntervalMs: 5_000 });
  assert.deepEqual(resolve({ tls: { cert: 'tls/a.crt', key: 'tls/a.key', ca: 'tls/ca.crt', client_auth: 'require', reload_interval: '500ms' } }).tls, {
    cert: 'tls/a.crt', key: 'tls/a.key', ca: 'tls/ca.crt', clientAuth: 'require', reloadIntervalMs: 500,
  });
});

test('TUSK_TLS_CERT, TUSK_TLS_KEY, TUSK_TLS_CA and TUSK_TLS_CLIENT_AUTH override [tls]; empty counts as unset', () => {
  const raw = { tls: { cert: 'a.crt', key: 'a.key', client_auth: 'none' } };
  const env = { TUSK_TLS_CERT: '/run/b.crt', TUSK_TLS_KEY: '/run/b.key', TUSK_TLS_CA: '/run/ca.crt', TUSK_TLS_CLIENT_AUTH: 'require' };
  assert.deepEqual(resolve(raw, env).tls, { cert: '/run/b.crt', key: '/run/b.key', ca: '/run/ca.crt', clientAuth: 'require', reloadIntervalMs: 5_000 });
  assert.equal(resolve(raw, { TUSK_TLS_CERT: '' }).tls.cert, 'a.crt');
});

test('a wrong TUSK_TLS_CLIENT_AUTH names the variable and the allowed values', () => {
  assert.throws(() => resolve({}, { TUSK_TLS_CLIENT_AUTH: 'always' }), (error: Error) => {
    assert.equal(error.message, 'a/v1/a.tsk: [tls] client_auth: TUSK_TLS_CLIENT_AUTH="always" is not one of none, request, require');
    return true;
  });
});

test('bad [tls] values are file:line:col errors at generation', () => {
  const text = '[tls]\ncert: "a.crt"\nclient_auth: "mutual"\nreload_interval: "10ms"\nkeyfile: "a.key"\n';
  const { errors } = validateDescriptorText(text, 'a/v1/a.tsk', { file: 'a/v1/a.proto', services: [{ name: 'a.v1.A', methods: [] }] });
  assert.deepEqual(errors.map(formatIssue), [
    'a/v1/a.tsk:3:14: [tls] client_auth: "mutual" is not one of none, request, require',
    'a/v1/a.tsk:4:18: [tls] reload_interval: "10ms" is shorter than 100ms',
    'a/v1/a.tsk:5:1: unknown key "keyfile" in [tls]',
  ]);
});

test('a [dependencies] entry takes tls { ca, cert, key, server_name, plaintext }', () => {
  const resolved = resolve({ dependencies: { billing: { service: 'b.v1.B', tls: { ca: 'billing-ca.crt', server_name: 'billing.internal' } } } });
  assert.deepEqual(resolved.dependencies['b.v1.B']!.tls, { ca: 'billing-ca.crt', serverName: 'billing.internal' });
});

test('client TLS layers: the caller\'s [tls], then its [dependencies] tls, then options.tls', () => {
  const target = defineService({ name: 'b.v1.B', protoFile: 'b/v1/b.proto', descriptorFile: null, methods: stubMethods('b.v1.B', ['Get']), config: {} });
  const caller = defineService({
    name: 'a.v1.A', protoFile: 'a/v1/a.proto', descriptorFile: null, methods: stubMethods('a.v1.A', ['Do']),
    config: { tls: { cert: 'a.crt', key: 'a.key', ca: 'ca.crt' }, dependencies: { b: { service: 'b.v1.B', tls: { server_name: 'b.internal', ca: 'b-ca.crt' } } } },
  });
  const env = {};
  assert.deepEqual(effectiveClientTls(target, { caller }, env), { ca: 'b-ca.crt', cert: 'a.crt', key: 'a.key', serverName: 'b.internal', secure: true, reloadIntervalMs: 5_000 });
  assert.equal(effectiveClientTls(target, { caller, tls: { plaintext: true } }, env).secure, false);
  // No caller: only the environment (and options) say whether the client uses TLS.
  assert.equal(effectiveClientTls(target, {}, env).secure, false);
  assert.deepEqual(effectiveClientTls(target, {}, { TUSK_TLS_CA: '/run/ca.crt' }), { ca: '/run/ca.crt', cert: null, key: null, serverName: undefined, secure: true, reloadIntervalMs: 5_000 });
  assert.equal(effectiveClientTls(target, { tls: { plaintext: false } }, env).secure, true, 'TLS with the system roots');
});

test('with a server certificate and max_connection_age left null, connections are recycled after 30 min', () => {
  const withTls = resolve({ tls: { cert: 'a.crt', key: 'a.key' } });
  assert.deepEqual(tlsConnectionAgeOption(withTls.tls, withTls.server), { 'grpc.max_connection_age_ms': TLS_DEFAULT_MAX_CONNECTION_AGE_MS });
  const chosen = resolve({ tls: { cert: 'a.crt', key: 'a.key' }, server: { max_connection_age: '5m' } });
  assert.deepEqual(tlsConnectionAgeOption(chosen.tls, chosen.server), {});
  const plain = resolve({});
  assert.deepEqual(tlsConnectionAgeOption(plain.tls, plain.server), {});
});
