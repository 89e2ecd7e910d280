// API keys against a real TuskServer: `x-api-key` checked against a file of
// SHA-256 hashes that is replaced (atomic rename) while the server runs.
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { hashApiKey } from '../../../src/security/auth/index.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { Code } from '../../../src/status/codes.js';
import type { EchoRequest, EchoResponse } from '../../helpers/echo-service.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { countUpStatus, metadataWith, unaryStatus } from './auth-fixtures.js';

const BATCH_KEY = 'tusk_live_batch_0123456789abcdef';
const READER_KEY = 'tusk_live_reader_fedcba9876543210';
const LATER_KEY = 'tusk_live_later_aaaaaaaaaaaaaaaa';

let dir: string;
let keyFile: string;
let fixture: EchoServerFixture;

async function writeKeys(entries: readonly unknown[] | string): Promise<void> {
  // As a secrets agent does: a new file renamed over the old one.
  const next = `${keyFile}.next`;
  await writeFile(next, typeof entries === 'string' ? entries : JSON.stringify(entries));
  await rename(next, keyFile);
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-api-keys-'));
  keyFile = join(dir, 'api-keys.json');
  await writeKeys([
    { sha256: hashApiKey(BATCH_KEY), subject: 'billing-batch', scopes: ['echo:read', 'echo:stream'] },
    { sha256: hashApiKey(READER_KEY), subject: 'reader' },
  ]);
  fixture = await startEchoServer({}, {
    server: { reflection: false },
    auth: { api_keys: { file: keyFile }, default_scopes: ['echo:read'] },
    methods: { Create: { public: true }, CountUp: { scopes: ['echo:stream'] } },
  });
});

after(async () => {
  await fixture?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

test('a known key: the call runs as the subject of its entry', async () => {
  const before = fixture.service.calls.length;
  const status = await unaryStatus(fixture.client, 'echo', { 'x-api-key': BATCH_KEY });
  assert.equal(status.code, Code.OK, status.details);
  const principal = fixture.service.calls[before]!.ctx.principal;
  assert.deepEqual({ kind: principal?.kind, subject: principal?.subject, scopes: principal?.scopes }, { kind: 'api_key', subject: 'billing-batch', scopes: ['echo:read', 'echo:stream'] });
});

test('an unknown key, or a JWT where only keys are accepted: UNAUTHENTICATED', async () => {
  const wrong = await unaryStatus(fixture.client, 'echo', { 'x-api-key': `${BATCH_KEY}x` });
  assert.equal(wrong.code, Code.UNAUTHENTICATED);
  assert.equal(wrong.errorInfo?.reason, 'API_KEY_UNKNOWN');
  const bearer = await unaryStatus(fixture.client, 'echo', { authorization: 'Bearer abc.def.ghi' });
  assert.equal(bearer.code, Code.UNAUTHENTICATED);
  assert.equal(bearer.errorInfo?.reason, 'CREDENTIAL_KIND_NOT_ACCEPTED');
});

test('a known key without the scope: PERMISSION_DENIED naming it', async () => {
  const status = await unaryStatus(fixture.client, 'echo', { 'x-api-key': READER_KEY });
  assert.equal(status.code, Code.PERMISSION_DENIED);
  assert.equal(status.errorInfo?.metadata?.missing_scopes, 'echo:read');
});

test('server streaming with a wrong key: refused before any message, the handler never runs', async () => {
  const pulled = fixture.service.pulled;
  const status = await countUpStatus(fixture.client, 3, { 'x-api-key': 'wrong-key-value-123' });
  assert.equal(status.code, Code.UNAUTHENTICATED);
  assert.equal(status.received, 0);
  assert.equal(fixture.service.pulled, pulled);
  assert.ok(!fixture.service.calls.some((call) => call.method === 'CountUp'));
  const allowed = await countUpStatus(fixture.client, 2, { 'x-api-key': BATCH_KEY });
  assert.equal(allowed.code, Code.OK);
  assert.equal(allowed.received, 2);
});

test('client and bidi streams with a wrong key: refused when they open, the handler never sees a message', async () => {
  const refused = (open: (metadata: grpc.Metadata) => grpc.ClientWritableStream<EchoRequest> | grpc.ClientDuplexStream<EchoRequest, EchoResponse>) =>
    new Promise<{ code: number; received: number }>((resolve) => {
      let received = 0;
      const call = open(metadataWith({ 'x-api-key': 'wrong-key-value-123' }));
      call.on('data', () => (received += 1));
      call.on('error', () => undefined);
      call.on('status', (status: grpc.StatusObject) => resolve({ code: status.code, received }));
      call.write({ text: 'a' });
      call.write({ text: 'b' });
      call.end();
    });
  const { client } = fixture;
  const deadline = { deadline: Date.now() + 10_000 };
  assert.deepEqual(await refused((metadata) => client.collect(metadata, deadline, () => undefined)), { code: Code.UNAUTHENTICATED, received: 0 });
  assert.deepEqual(await refused((metadata) => client.chat(metadata, deadline)), { code: Code.UNAUTHENTICATED, received: 0 });
  assert.ok(!fixture.service.calls.some((call) => call.method === 'Collect' || call.method === 'Chat'), 'no handler ran');
});

test('the key file reloads when replaced; a broken rewrite keeps the last good keys', async () => {
  assert.equal((await unaryStatus(fixture.client, 'echo', { 'x-api-key': LATER_KEY })).code, Code.UNAUTHENTICATED);
  await writeKeys([{ sha256: hashApiKey(LATER_KEY), subject: 'later', scopes: ['echo:read'] }]);
  await waitUntil(async () => (await unaryStatus(fixture.client, 'echo', { 'x-api-key': LATER_KEY })).code === Code.OK, 10_000, 'the new key accepted');
  assert.equal((await unaryStatus(fixture.client, 'echo', { 'x-api-key': BATCH_KEY })).code, Code.UNAUTHENTICATED, 'the removed key refused');

  await writeKeys('[{ "sha256": "not json');
  await waitUntil(() => fixture.logs.find((line) => line.msg === '[auth] api_keys file not reloaded, keeping the last good one'), 10_000, 'the broken file logged');
  assert.equal((await unaryStatus(fixture.client, 'echo', { 'x-api-key': LATER_KEY })).code, Code.OK);
});

test('no key appears in the logs', () => {
  const logged = JSON.stringify(fixture.logs);
  for (const key of [BATCH_KEY, READER_KEY, LATER_KEY, 'wrong-key-value-123']) assert.ok(!logged.includes(key), 'a key was logged');
});

test('a missing key file stops start() with a message naming it', async () => {
  const server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false });
  server.add(new TestEchoService('echo-2', { auth: { api_keys: { file: join(dir, 'absent.json') } } }));
  await assert.rejects(server.start(), (error: Error) => error.message === `tusk-grpc: [auth] api_keys file ${join(dir, 'absent.json')}: no such file`);
});
