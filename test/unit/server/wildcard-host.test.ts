// One definition of "wildcard host" serves config validation, the server's
// advertise-host choice and the registries' address check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDescriptor } from '../../../src/config/resolve-descriptor.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { assertAdvertisableAddress, isWildcardHost } from '../../../src/discovery/index.js';

const WILDCARDS = ['0.0.0.0', '::', '[::]', ''];

test('isWildcardHost: the any-interface bind hosts, nothing else', () => {
  for (const host of WILDCARDS) assert.equal(isWildcardHost(host), true, host);
  for (const host of ['127.0.0.1', '::1', '[::1]', 'localhost', '10.0.0.7', 'node-7.internal']) assert.equal(isWildcardHost(host), false, host);
});

test('config refuses every wildcard as advertise_host, the registry refuses it in an address', () => {
  for (const host of WILDCARDS.filter((wildcard) => wildcard !== '')) {
    assert.throws(
      () => resolveDescriptor({ service: { advertise_host: host } }, 'a/v1/a.tsk', 'a.v1.Svc', {}),
      (error: unknown) => error instanceof ConfigError && /is not an address others can reach/.test(error.message),
      host,
    );
    const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:50051` : `${host}:50051`;
    assert.throws(() => assertAdvertisableAddress(address), /is a wildcard/, address);
  }
});
