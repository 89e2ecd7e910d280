// test: runs alone (its bounds rest on the machine's capacity; see test/helpers/run-alone.ts)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeClient, createClient } from '../../../src/client/index.js';
import { echoDescriptor } from '../../helpers/echo-service.js';
import { makeTestPki, SERVER_ALT_NAMES, type TestPki } from '../../helpers/certs.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { echoOnce, liveServerFiles, plainSerial, servedSerial, tlsClient, type TlsEchoClient } from './tls-fixture.js';

const LOAD_MS = 6_000;
const CONCURRENCY = 32;
/** Bounds the load loop in count as well as time. */
const MAX_CALLS = 400_000;

let pki: TestPki;
let live: { cert: string; key: string };
let fixture: EchoServerFixture;

const clientTls = () => ({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });

before(async () => {
  pki = await makeTestPki();
  live = await liveServerFiles(pki);
  fixture = await startEchoServer({}, { tls: { ...live, ca: pki.ca.cert, client_auth: 'require', reload_interval: '500ms' } });
});
after(async () => {
  await fixture?.close();
  await pki?.destroy();
});

async function rotateTo(cert: string, key: string): Promise<void> {
  await pki.replaceAtomically(cert, live.cert);
  await pki.replaceAtomically(key, live.key);
}

test('rotation under 32-way load: no call fails, and new connections get the new certificate', async () => {
  const next = await pki.issue(pki.ca, 'server-next', { commonName: 'localhost', altNames: SERVER_ALT_NAMES });
  assert.equal(await servedSerial(fixture.server.port, pki.ca.cert), plainSerial(pki.server.serial));
  const client = tlsClient(fixture.address, clientTls());
  const failures: unknown[] = [];
  let calls = 0;
  let rotated: Promise<void> | undefined;
  const began = Date.now();
  const worker = async (): Promise<void> => {
    while (Date.now() - began < LOAD_MS && calls < MAX_CALLS) {
      // Half way through, the files are replaced the way cert-manager does it.
      if (rotated === undefined && Date.now() - began >= LOAD_MS / 2) rotated = rotateTo(next.cert, next.key);
      calls++;
      await client.echo({ text: 'x' }).catch((error: unknown) => void failures.push(error));
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await rotated;
    assert.ok(rotated !== undefined, 'the load ended before the rotation');
    assert.deepEqual(failures.slice(0, 3).map(String), [], `${failures.length} of ${calls} calls failed`);
    // A new connection after reload_interval sees the new certificate's serial.
    await waitUntil(async () => (await servedSerial(fixture.server.port, pki.ca.cert)) === plainSerial(next.serial), 5_000, 'the new certificate to be served');
    assert.equal(fixture.server.tlsCertificateSerial, plainSerial(next.serial));
    // A rotation done right (cert, then key, each renamed) is no cause for a warning.
    assert.deepEqual(fixture.logs.filter((line) => line.level >= 40 && line.msg.startsWith('tls:')), []);
    // The client's old connection and new ones keep working.
    assert.equal((await client.echo({ text: 'after' })).text, 'after');
    assert.equal(await echoOnce(fixture.address, clientTls()), 'ping');
  } finally {
    await closeClient(client);
  }
});

test('a broken file during rotation is logged by name, the last good certificate stays, calls go on', async () => {
  const before = await servedSerial(fixture.server.port, pki.ca.cert);
  const warnings = () => fixture.logs.filter((line) => line.level === 40 && line.msg.startsWith('tls:'));
  const seen = warnings().length;

  const garbage = join(pki.dir, 'garbage.crt');
  await writeFile(garbage, 'this is not a certificate\n');
  await pki.replaceAtomically(garbage, live.cert);
  const first = await waitUntil(() => warnings().slice(seen).find((line) => line.file === live.cert), 5_000, 'a warning naming the broken certificate');
  assert.match(String(first.reason), /no PEM certificate/);
  assert.equal(await echoOnce(fixture.address, clientTls()), 'ping');
  assert.equal(await servedSerial(fixture.server.port, pki.ca.cert), before);

  // A readable certificate whose key is not the one in tls.key.
  await pki.replaceAtomically(pki.client.cert, live.cert);
  const mismatch = await waitUntil(() => warnings().slice(seen).find((line) => /does not match/.test(String(line.reason))), 5_000, 'a warning about the mismatched key');
  assert.equal(mismatch.file, live.key);
  assert.equal(await echoOnce(fixture.address, clientTls()), 'ping');
  assert.equal(await servedSerial(fixture.server.port, pki.ca.cert), before);

  // A good pair again: served within reload_interval.
  const good = await pki.issue(pki.ca, 'server-good', { commonName: 'localhost', altNames: SERVER_ALT_NAMES });
  await rotateTo(good.cert, good.key);
  await waitUntil(async () => (await servedSerial(fixture.server.port, pki.ca.cert)) === plainSerial(good.serial), 5_000, 'the repaired certificate to be served');
  assert.ok(fixture.logs.every((line) => !JSON.stringify(line).includes('PRIVATE KEY')), 'key material in the logs');
});

test('connections recycled by max_connection_age during a rotation: no call fails under the default client policy', async () => {
  // A server of its own whose connections live about 1 s, under the default client policy.
  const dir = join(pki.dir, 'aged');
  await mkdir(dir);
  const files = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  await Promise.all([copyFile(pki.server.cert, files.cert), copyFile(pki.server.key, files.key)]);
  const aged = await startEchoServer({}, { tls: { ...files, ca: pki.ca.cert, client_auth: 'require', reload_interval: '500ms' }, server: { max_connection_age: '1s' } });
  const next = await pki.issue(pki.ca, 'server-aged', { commonName: 'localhost', altNames: SERVER_ALT_NAMES });
  const client = createClient<TlsEchoClient>(echoDescriptor(), { endpoints: [aged.address], tls: clientTls() });
  const failures: unknown[] = [];
  let calls = 0;
  let rotated: Promise<void> | undefined;
  const began = Date.now();
  const worker = async (): Promise<void> => {
    while (Date.now() - began < LOAD_MS / 2 && calls < MAX_CALLS) {
      if (rotated === undefined && Date.now() - began >= LOAD_MS / 4) {
        rotated = pki.replaceAtomically(next.cert, files.cert).then(() => pki.replaceAtomically(next.key, files.key));
      }
      calls++;
      await client.echo({ text: 'x' }).catch((error: unknown) => void failures.push(error));
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await rotated;
    assert.deepEqual(failures.slice(0, 3).map(String), [], `${failures.length} of ${calls} calls failed`);
    await waitUntil(async () => (await servedSerial(aged.server.port, pki.ca.cert)) === plainSerial(next.serial), 5_000, 'the new certificate to be served');
  } finally {
    await closeClient(client);
    await aged.close();
  }
});
