// The rule that keeps credentials off plaintext networks, and the header shapes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { insecureCredentialsProblem, isLoopbackAddress } from '../../../src/client/credentials/index.js';
import { credentialHeaders } from '../../../src/client/credentials/credential.js';

test('loopback addresses are recognised in every spelling; others are not', () => {
  for (const address of ['127.0.0.1:50051', '127.8.9.10:1', 'localhost:80', 'api.localhost:1', '[::1]:50051', '::1', '[::ffff:127.0.0.1]:5', 'LOCALHOST:1']) {
    assert.equal(isLoopbackAddress(address), true, address);
  }
  for (const address of ['10.0.0.5:50051', '192.0.2.2:1', 'users.internal:50051', '[2001:db8::1]:443', '128.0.0.1:1', 'localhost.evil.com:1', '0.0.0.0:1']) {
    assert.equal(isLoopbackAddress(address), false, address);
  }
});

test('credentials may go over TLS, to loopback, or when allowed; otherwise the problem says how to fix it', () => {
  assert.equal(insecureCredentialsProblem({ secure: true, address: '10.0.0.5:443', allowInsecure: false }), undefined);
  assert.equal(insecureCredentialsProblem({ secure: false, address: '127.0.0.1:443', allowInsecure: false }), undefined);
  assert.equal(insecureCredentialsProblem({ secure: false, address: '10.0.0.5:443', allowInsecure: true }), undefined);
  const problem = insecureCredentialsProblem({ secure: false, address: '10.0.0.5:443', allowInsecure: false });
  assert.match(problem ?? '', /plaintext to 10\.0\.0\.5:443: configure TLS .* allow_insecure_credentials: true/);
});

test('credential headers: bearer and API key; bad values are refused without being quoted', () => {
  assert.deepEqual(credentialHeaders({ bearer: 'abc.def' }), { authorization: 'Bearer abc.def' });
  assert.deepEqual(credentialHeaders({ apiKey: 'k-1' }), { 'x-api-key': 'k-1' });
  for (const bad of [{ bearer: '' }, { bearer: ' padded' }, { apiKey: 'line\nbreak-secret' }, { bearer: 42 }, {}, null]) {
    assert.throws(() => credentialHeaders(bad as never), (error: Error) => !error.message.includes('secret') && !error.message.includes('padded'));
  }
});
