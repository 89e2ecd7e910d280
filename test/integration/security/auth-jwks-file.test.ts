// jwks_file reloads when replaced (and tokens verified with a dropped key stop
// passing); reflection is open by default and closed by protect_reflection.
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { Code } from '../../../src/status/codes.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { AUDIENCE, ISSUER, metadataWith, signToken, signingKey, unaryStatus, type SigningKey } from './auth-fixtures.js';

let dir: string;
let jwksFile: string;
let keyA: SigningKey;
let secured: EchoServerFixture;
let reflectionOpen: EchoServerFixture;

async function publish(keys: readonly SigningKey[]): Promise<void> {
  await writeFile(`${jwksFile}.next`, JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
  await rename(`${jwksFile}.next`, jwksFile);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-jwks-file-'));
  jwksFile = join(dir, 'jwks.json');
  keyA = await signingKey('file-a');
  await publish([keyA]);
  const jwt = { issuer: ISSUER, audience: [AUDIENCE], jwks_file: jwksFile, algorithms: ['ES256'] };
  secured = await startEchoServer({}, { auth: { jwt, protect_reflection: true } });
  reflectionOpen = await startEchoServer({}, { auth: { jwt } });
});

after(async () => {
  await secured?.close();
  await reflectionOpen?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** ServerReflectionRequest { list_services: "*" }, field 7, as bytes. */
const LIST_SERVICES = Buffer.from([0x3a, 0x01, 0x2a]);

function listServices(fixture: EchoServerFixture, headers: Readonly<Record<string, string>> = {}): Promise<{ code: number; responses: number }> {
  return new Promise((resolve) => {
    let responses = 0;
    const call = fixture.client.makeBidiStreamRequest(
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', (bytes: Buffer) => bytes, (bytes: Buffer) => bytes, metadataWith(headers), { deadline: Date.now() + 10_000 },
    );
    call.on('data', () => {
      responses += 1;
      call.end();
    });
    call.on('error', () => undefined);
    call.on('status', (status: grpc.StatusObject) => resolve({ code: status.code, responses }));
    call.write(LIST_SERVICES);
  });
}

test('reflection: open by default; with protect_reflection it needs a caller, health stays open', async () => {
  assert.deepEqual(await listServices(reflectionOpen), { code: Code.OK, responses: 1 });
  assert.deepEqual(await listServices(secured), { code: Code.UNAUTHENTICATED, responses: 0 });
  const token = await signToken(keyA);
  assert.deepEqual(await listServices(secured, { authorization: `Bearer ${token}` }), { code: Code.OK, responses: 1 });
});

test('a replaced JWKS file: new keys verify, and tokens of a dropped key stop passing', async () => {
  const oldToken = await signToken(keyA);
  assert.equal((await unaryStatus(secured.client, 'echo', { authorization: `Bearer ${oldToken}` })).code, Code.OK);
  const keyB = await signingKey('file-b');
  await publish([keyB]);
  const newToken = await signToken(keyB);
  await waitUntil(async () => (await unaryStatus(secured.client, 'echo', { authorization: `Bearer ${newToken}` })).code === Code.OK, 10_000, 'the new key accepted');
  const dropped = await unaryStatus(secured.client, 'echo', { authorization: `Bearer ${oldToken}` });
  assert.equal(dropped.code, Code.UNAUTHENTICATED, 'a token verified before is checked again against the new set');
  assert.equal(dropped.errorInfo?.reason, 'TOKEN_UNKNOWN_KEY');
});
