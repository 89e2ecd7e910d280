// A foreign client: Python's grpcio (Debian's python3-grpcio) gets
// UNAUTHENTICATED and PERMISSION_DENIED from protected methods of a real
// TuskServer, and health without credentials, over mTLS: its client certificate
// opens the connection ([tls] client_auth require) but, with no [auth] mtls,
// is no credential, so the token or key decides.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '../../../src/security/auth/index.js';
import { REPO_ROOT, runCommand } from '../generator/cli-harness.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { AUDIENCE, ISSUER, signToken, signingKey } from './auth-fixtures.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python_auth_client.py', import.meta.url));
const API_KEY = 'python-batch-key-0123456789';

let dir: string;
let pki: TestPki;
let fixture: EchoServerFixture;
let tokens: { good: string; noScope: string };

before(async () => {
  [dir, pki] = await Promise.all([mkdtemp(join(tmpdir(), 'tusk-auth-python-')), makeTestPki()]);
  const key = await signingKey('py-key');
  await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.publicJwk] }));
  await writeFile(join(dir, 'keys.json'), JSON.stringify([{ sha256: hashApiKey(API_KEY), subject: 'py-batch', scopes: ['echo:read'] }]));
  fixture = await startEchoServer({}, {
    server: { reflection: false },
    tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, client_auth: 'require' },
    auth: {
      jwt: { issuer: ISSUER, audience: [AUDIENCE], jwks_file: join(dir, 'jwks.json'), algorithms: ['ES256'] },
      api_keys: { file: join(dir, 'keys.json') },
      default_scopes: ['echo:read'],
    },
  });
  tokens = { good: await signToken(key, { scope: 'echo:read' }), noScope: await signToken(key, { scope: 'other' }) };
});

after(async () => {
  await fixture?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  await pki?.destroy();
});

test('python3-grpcio over mTLS (ssl_channel_credentials(root, key, chain)): health open, protected methods refused with the right codes, good credentials pass', async () => {
  const result = await runCommand(PYTHON, [SCRIPT, fixture.address, tokens.good, tokens.noScope, API_KEY, pki.ca.cert, pki.client.cert, pki.client.key], REPO_ROOT, 30_000);
  assert.equal(fixture.logs.find((line) => line.msg === 'serving')?.tls, 'mtls', 'the server listens on mTLS only');
  assert.equal(result.code, 0, `python exited ${result.code}: ${result.stderr}`);
  assert.deepEqual(JSON.parse(result.stdout), { health: 'OK', anonymous: 'UNAUTHENTICATED', no_scope: 'PERMISSION_DENIED', good_token: 'OK', api_key: 'OK' });
});
