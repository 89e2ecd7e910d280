// The caller's [tls] secures its clients; [dependencies] tls overrides it per target; a rotated client certificate is used by new connections.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { closeClient, createClient } from '../../../src/client/index.js';
import { defineService, type RawDescriptor } from '../../../src/config/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { makeTestPki, SERVER_ALT_NAMES, type TestPki } from '../../helpers/certs.js';
import { echoDescriptor } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { stubMethods } from '../../helpers/stub-methods.js';
import { waitUntil } from '../../helpers/wait.js';
import { plainSerial, type TlsEchoClient } from './tls-fixture.js';

let pki: TestPki;
let secured: EchoServerFixture;
let plaintext: EchoServerFixture;

before(async () => {
  pki = await makeTestPki();
  [secured, plaintext] = await Promise.all([
    startEchoServer({}, { tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, client_auth: 'require' } }),
    startEchoServer(),
  ]);
});
after(async () => {
  await Promise.all([secured?.close(), plaintext?.close()]);
  await pki?.destroy();
});

let callers = 0;
/** A calling service's descriptor, as a generated one would be. */
function caller(config: RawDescriptor) {
  const name = `caller.v1.Caller${++callers}`;
  return defineService({ name, protoFile: 'caller/v1/caller.proto', descriptorFile: null, methods: stubMethods(name, ['Do']), config });
}

async function echoAs(callerDescriptor: ReturnType<typeof caller>, address: string): Promise<string> {
  const client = createClient<TlsEchoClient>(echoDescriptor(), { caller: callerDescriptor, endpoints: [address], timeout: 3_000, retry: { maxAttempts: 1 } });
  try {
    return (await client.echo({ text: 'hi' })).text;
  } finally {
    await closeClient(client);
  }
}

test("the caller's [tls] makes its clients verify the server against ca and show cert/key", async () => {
  const mtls = caller({ tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert } });
  assert.equal(await echoAs(mtls, secured.address), 'hi');
});

test('a caller without [tls] calls in plaintext, which a TLS server refuses', async () => {
  const error = await echoAs(caller({}), secured.address).catch((failure: unknown) => failure);
  assert.ok(error instanceof TuskError && error.code === Code.UNAVAILABLE, String(error));
});

test('[dependencies] tls { plaintext: true } reaches a plaintext target from a process with [tls]', async () => {
  const mixed = caller({
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert },
    dependencies: { echo: { service: 'test.v1.EchoService', tls: { plaintext: true } } },
  });
  assert.equal(await echoAs(mixed, plaintext.address), 'hi');
});

test('[dependencies] tls { ca } replaces the caller\'s ca for that target only', async () => {
  const wrongCa = caller({
    tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.rogueCa.cert },
    dependencies: { echo: { service: 'test.v1.EchoService', tls: { ca: pki.ca.cert } } },
  });
  assert.equal(await echoAs(wrongCa, secured.address), 'hi');
  // Towards a server of another CA, the client still shows its own certificate (which that CA did not sign).
  const otherServer = await pki.issue(pki.rogueCa, 'rogue-server', { commonName: 'localhost', altNames: SERVER_ALT_NAMES });
  const other = await startEchoServer({}, { tls: { cert: otherServer.cert, key: otherServer.key } });
  try {
    const towardsOther = caller({
      tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert },
      dependencies: { echo: { service: 'test.v1.EchoService', tls: { ca: pki.rogueCa.cert } } },
    });
    assert.equal(await echoAs(towardsOther, other.address), 'hi');
  } finally {
    await other.close();
  }
});

test('a rotated client certificate is shown on new connections within reload_interval', async () => {
  // A bare grpc-js server that answers with the serial of the client certificate it verified.
  const server = new grpc.Server();
  server.register('/test.v1.EchoService/Echo', (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
    const serial = call.getAuthContext().sslPeerCertificate?.serialNumber ?? 'none';
    callback(null, Buffer.from(JSON.stringify({ text: serial, instance: 'bare' })));
  }, (value: Buffer) => value, (value: Buffer) => value, 'unary');
  const credentials = grpc.ServerCredentials.createSsl(readFileSync(pki.ca.cert), [{ cert_chain: readFileSync(pki.server.cert), private_key: readFileSync(pki.server.key) }], true);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  const dir = join(pki.dir, 'client-live');
  await mkdir(dir, { recursive: true });
  const live = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  await Promise.all([copyFile(pki.client.cert, live.cert), copyFile(pki.client.key, live.key)]);
  const rotating = caller({ tls: { ...live, ca: pki.ca.cert, reload_interval: '300ms' } });
  try {
    assert.equal(plainSerial(await echoAs(rotating, `127.0.0.1:${port}`)), plainSerial(pki.client.serial));
    const next = await pki.issue(pki.ca, 'client-next', { commonName: 'test-client' });
    await pki.replaceAtomically(next.cert, live.cert);
    await pki.replaceAtomically(next.key, live.key);
    // Each probe is a new client, so a new connection once the last one closed.
    await waitUntil(async () => plainSerial(await echoAs(rotating, `127.0.0.1:${port}`)) === plainSerial(next.serial), 5_000, 'the new client certificate on a new connection');
  } finally {
    server.forceShutdown();
  }
});

test('a client whose TLS files are bad is refused when it is made, naming the file', () => {
  const missing = join(pki.dir, 'absent-ca.pem');
  assert.throws(() => createClient(echoDescriptor(), { endpoints: [secured.address], tls: { ca: missing } }), (error: Error) => {
    assert.equal(error.message, `tls: ca file ${missing}: does not exist`);
    return true;
  });
  assert.throws(() => createClient(echoDescriptor(), { endpoints: [secured.address], tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.server.key } }), (error: Error) => {
    assert.equal(error.message, `tls: key file ${pki.server.key}: does not match the certificate in ${pki.client.cert}`);
    return true;
  });
});
