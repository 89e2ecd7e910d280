// TUSK_REGISTRY_DIR: a private local-registry folder per demo or test run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDescriptor } from '../../../src/config/index.js';

const resolve = (env: NodeJS.ProcessEnv) => resolveDescriptor({ discovery: { dir: '/srv/registry' } }, 'user/v1/user.tsk', 'user.v1.UserService', env);

test('TUSK_REGISTRY_DIR overrides [discovery] dir; unset or empty keeps the descriptor value', () => {
  assert.equal(resolve({ TUSK_REGISTRY_DIR: '/tmp/demo-registry' }).discovery.dir, '/tmp/demo-registry');
  assert.equal(resolve({}).discovery.dir, '/srv/registry');
  assert.equal(resolve({ TUSK_REGISTRY_DIR: '' }).discovery.dir, '/srv/registry');
  assert.equal(resolve({ TUSK_DISCOVERY: 'etcd', TUSK_REGISTRY_DIR: '/tmp/x' }).discovery.provider, 'etcd', 'the folder does not switch the provider');
});
