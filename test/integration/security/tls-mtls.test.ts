import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Code, TuskError } from '../../../src/status/index.js';
import { clientTlsFor, transportIsSecure } from '../../../src/security/tls/index.js';
import { echoDescriptor } from '../../helpers/echo-service.js';
import { GrpcTransport } from '../../../src/client/grpc-transport.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { echoOnce } from './tls-fixture.js';

let pki: TestPki;
let requireServer: EchoServerFixture;
let requestServer: EchoServerFixture;
let noneServer: EchoServerFixture;
let bothCas: string;

const serverTls = (clientAuth: string) => ({ cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, client_auth: clientAuth });

before(async () => {
  pki = await makeTestPki();
  bothCas = join(pki.dir, 'both-cas.pem');
  writeFileSync(bothCas, Buffer.concat([readFileSync(pki.ca.cert), readFileSync(pki.rogueCa.cert)]));
  [requireServer, requestServer, noneServer] = await Promise.all(
    ['require', 'request', 'none'].map((mode) => startEchoServer({}, { tls: serverTls(mode) })),
  );
});
after(async () => {
  await Promise.all([requireServer, requestServer, noneServer].map((fixture) => fixture?.close()));
  await pki?.destroy();
});

async function refused(call: Promise<unknown>): Promise<TuskError> {
  const error = await call.then(() => assert.fail('the call succeeded'), (error: unknown) => error);
  assert.ok(error instanceof TuskError, `not a TuskError: ${String(error)}`);
  assert.equal(error.code, Code.UNAVAILABLE, error.message);
  return error;
}

test('client_auth "require": a client with a certificate from the CA is served', async () => {
  assert.equal(await echoOnce(requireServer.address, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }), 'ping');
});

test('client_auth "require": no client certificate, or one from the rogue CA, is refused (UNAVAILABLE)', async () => {
  await refused(echoOnce(requireServer.address, { ca: pki.ca.cert }));
  // The client trusts both CAs so its own check of the rogue certificate passes: the server must refuse it.
  await refused(echoOnce(requireServer.address, { ca: bothCas, cert: pki.rogueClient.cert, key: pki.rogueClient.key }));
  // The server still serves good clients afterwards.
  assert.equal(await echoOnce(requireServer.address, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }), 'ping');
});

test('client_auth "request": a certificate is asked for, not required', async () => {
  assert.equal(await echoOnce(requestServer.address, { ca: pki.ca.cert }), 'ping');
  assert.equal(await echoOnce(requestServer.address, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }), 'ping');
});

test('client_auth "none": clients with and without a certificate are served', async () => {
  assert.equal(await echoOnce(noneServer.address, { ca: pki.ca.cert }), 'ping');
  assert.equal(await echoOnce(noneServer.address, { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key }), 'ping');
});

test('a TLS server serves nothing in plaintext, and a client that does not trust its CA is refused', async () => {
  await refused(echoOnce(noneServer.address, { plaintext: true }));
  await refused(echoOnce(noneServer.address, { ca: pki.rogueCa.cert }));
});

test('server_name: the certificate is checked against it instead of the address', async () => {
  assert.equal(await echoOnce(noneServer.address, { ca: pki.ca.cert, serverName: 'localhost' }), 'ping');
  await refused(echoOnce(noneServer.address, { ca: pki.ca.cert, serverName: 'billing.internal' }));
});

test('an expired server certificate is refused by the client', async () => {
  // A bare grpc-js server: TuskServer itself refuses to start with an expired certificate.
  const server = new grpc.Server();
  const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(pki.expiredServer.cert), private_key: readFileSync(pki.expiredServer.key) }]);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
  try {
    await refused(echoOnce(`127.0.0.1:${port}`, { ca: pki.ca.cert }));
  } finally {
    server.forceShutdown();
  }
});

test('transportIsSecure tells a TLS channel from a plaintext one', () => {
  const secure = new GrpcTransport(noneServer.address, undefined, clientTlsFor(echoDescriptor(), { tls: { ca: pki.ca.cert } }));
  const plain = new GrpcTransport(noneServer.address, undefined, clientTlsFor(echoDescriptor(), {}, {}));
  try {
    assert.equal(transportIsSecure(secure), true);
    assert.equal(transportIsSecure(plain), false);
  } finally {
    secure.close();
    plain.close();
  }
});
