// TUSK_AUTH_MTLS: certificate identity switched on (or off) by the environment alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDescriptor } from '../../../src/config/index.js';

const resolve = (raw: object, env: NodeJS.ProcessEnv = {}) => resolveDescriptor(raw as never, 'a/v1/a.tsk', 'a.v1.A', env);

test('TUSK_AUTH_MTLS=true adds [auth] mtls, with [auth] defaults when the descriptor has none', () => {
  assert.equal(resolve({}).auth, null);
  assert.equal(resolve({}, { TUSK_AUTH_MTLS: '' }).auth, null, 'empty counts as unset');
  assert.deepEqual(resolve({}, { TUSK_AUTH_MTLS: 'true' }).auth, { jwt: null, apiKeys: null, mtls: { scopes: [] }, defaultScopes: [], protectReflection: false });
});

test('TUSK_AUTH_MTLS keeps the descriptor\'s [auth]: true keeps its mtls scopes, false drops mtls only', () => {
  const raw = { auth: { api_keys: { file: 'keys.json' }, mtls: { scopes: ['a:read'] }, default_scopes: ['a:read'] } };
  assert.deepEqual(resolve(raw, { TUSK_AUTH_MTLS: 'yes' }).auth?.mtls, { scopes: ['a:read'] });
  const off = resolve(raw, { TUSK_AUTH_MTLS: 'false' }).auth;
  assert.equal(off?.mtls, null);
  assert.deepEqual(off?.apiKeys, { file: 'keys.json' });
  assert.deepEqual(off?.defaultScopes, ['a:read']);
  assert.equal(resolve({}, { TUSK_AUTH_MTLS: 'false' }).auth, null);
});

test('a wrong TUSK_AUTH_MTLS names the variable and the key', () => {
  assert.throws(() => resolve({}, { TUSK_AUTH_MTLS: 'maybe' }), (error: Error) => {
    assert.equal(error.message, 'a/v1/a.tsk: [auth] mtls: TUSK_AUTH_MTLS="maybe" is not a boolean (true/false, 1/0, yes/no)');
    return true;
  });
});
