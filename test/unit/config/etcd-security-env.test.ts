// [discovery] tls / username / password and the TUSK_ETCD_* variables over them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, resolveDescriptor, type RawDescriptor } from '../../../src/config/index.js';

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
