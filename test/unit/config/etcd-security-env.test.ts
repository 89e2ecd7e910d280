// [discovery] tls / username / password and the TUSK_ETCD_* variables over
// them; the [dependencies] credential keys at generation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, formatIssue, resolveDescriptor, validateDescriptorDocument, type RawDescriptor } from '../../../src/config/index.js';
import { parseTsk } from '../../../src/tsk/index.js';

const resolve = (raw: RawDescriptor, env: NodeJS.ProcessEnv = {}) => resolveDescriptor(raw, 'svc.tsk', 'test.v1.Svc', env).discovery;

test('written in the descriptor, the keys resolve as written; absent, TLS and auth are off', () => {
  assert.deepEqual(
    [resolve({}).tls, resolve({}).username, resolve({}).password],
    [null, null, null],
  );
  const discovery = resolve({ discovery: { provider: 'etcd', tls: { ca: '/pki/ca.pem', cert: '/pki/c.pem', key: '/pki/c.key' }, username: 'svc', password: 'pw' } });
  assert.deepEqual(discovery.tls, { ca: '/pki/ca.pem', cert: '/pki/c.pem', key: '/pki/c.key' });
  assert.equal(discovery.username, 'svc');
  assert.equal(discovery.password, 'pw');
});

test('TUSK_ETCD_CA / CERT / KEY turn TLS on or override single files; USERNAME and PASSWORD override auth', () => {
  const fromEnv = resolve({}, { TUSK_ETCD_CA: '/env/ca.pem', TUSK_ETCD_USERNAME: 'env-user', TUSK_ETCD_PASSWORD: 'env-pw' });
  assert.deepEqual(fromEnv.tls, { ca: '/env/ca.pem', cert: null, key: null });
  assert.deepEqual([fromEnv.username, fromEnv.password], ['env-user', 'env-pw']);
  const mixed = resolve({ discovery: { tls: { ca: '/pki/ca.pem', cert: '/pki/c.pem' } } }, { TUSK_ETCD_KEY: '/env/c.key' });
  assert.deepEqual(mixed.tls, { ca: '/pki/ca.pem', cert: '/pki/c.pem', key: '/env/c.key' });
});

test('a bad value names the key and the file', () => {
  assert.throws(() => resolve({ discovery: { tls: { ca: 7 } } }), (error: unknown) => error instanceof ConfigError && /svc\.tsk/.test(error.message) && /tls\.ca/.test(error.message));
  assert.throws(() => resolve({ discovery: { tls: { pem: 'x' } } }), /unknown key "pem"/);
});

test('a password of the wrong type is refused without being quoted, written or from @env', () => {
  assert.throws(() => resolve({ discovery: { username: 'u', password: 918273 } }), (error: Error) => /password/.test(error.message) && !error.message.includes('918273'));
  assert.throws(() => resolve({ discovery: { password: '' } }), (error: Error) => /password: the value/.test(error.message));
});

test('at generation, a bad password is reported at its file:line:col without its value; tls and credentials keys validate', () => {
  const text = '[discovery]\nprovider: "etcd"\nusername: "u"\npassword: 918273\ntls { ca: "/pki/ca.pem", pem: "x" }\n[dependencies]\nusers { service: "user.v1.UserService", credentials { bearer_env: "A", api_key_env: "B" }, forward_auth: "yes" }\n';
  const errors = validateDescriptorDocument(parseTsk(text, 'svc.tsk'), { file: 'svc.proto', services: [{ name: 'test.v1.Svc', methods: [] }] }, { knownServices: ['user.v1.UserService'] }).errors.map(formatIssue);
  assert.ok(errors.some((line) => /^svc\.tsk:4:\d+: .*password: the value is not a string/.test(line)), errors.join('\n'));
  assert.ok(errors.every((line) => !line.includes('918273')), errors.join('\n'));
  assert.ok(errors.some((line) => /^svc\.tsk:5:\d+: unknown key "pem"/.test(line)), errors.join('\n'));
  assert.ok(errors.some((line) => /api_key_env: "B" is set beside bearer_env/.test(line)), errors.join('\n'));
  assert.ok(errors.some((line) => /forward_auth: "yes" is not/.test(line)), errors.join('\n'));
});
