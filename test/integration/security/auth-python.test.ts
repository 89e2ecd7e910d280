// A foreign client: Python's grpcio (Debian's python3-grpcio) gets
// UNAUTHENTICATED and PERMISSION_DENIED from protected methods of a real
// TuskServer, and health without credentials. Plaintext on loopback here;
// the same calls over mTLS arrive with the TLS work.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hashApiKey } from '../../../src/security/auth/index.js';
import { REPO_ROOT, runCommand } from '../generator/cli-harness.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { AUDIENCE, ISSUER, signToken, signingKey } from './auth-fixtures.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python_auth_client.py', import.meta.url));
const API_KEY = 'python-batch-key-0123456789';

let dir: string;
let fixture: EchoServerFixture;
let tokens: { good: string; noScope: string };

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-auth-python-'));
  const key = await signingKey('py-key');
  await writeFile(join(dir, 'jwks.json'), JSON.stringify({ keys: [key.publicJwk] }));
  await writeFile(join(dir, 'keys.json'), JSON.stringify([{ sha256: hashApiKey(API_KEY), subject: 'py-batch', scopes: ['echo:read'] }]));
  fixture = await startEchoServer({}, {
    server: { reflection: false },
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
});

test('python3-grpcio: health open, protected methods refused with the right codes, good credentials pass', async () => {
  const result = await runCommand(PYTHON, [SCRIPT, fixture.address, tokens.good, tokens.noScope, API_KEY], REPO_ROOT, 30_000);
  assert.equal(result.code, 0, `python exited ${result.code}: ${result.stderr}`);
  assert.deepEqual(JSON.parse(result.stdout), { health: 'OK', anonymous: 'UNAUTHENTICATED', no_scope: 'PERMISSION_DENIED', good_token: 'OK', api_key: 'OK' });
});
