// Issue 12: TLS on the lean transports, through the same [tls] and per-target
// tls options as grpc-js: mTLS lean client ↔ lean server, and each lean side
// against the grpc-js one; a missing client certificate refused; the lean
// server's certificate rotated in place; gzip responses and far deadlines lean ↔ lean.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import { Http2ClientTransport } from '../../../src/client/http2/index.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { makeTestPki, SERVER_ALT_NAMES, type TestPki } from '../../helpers/certs.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { liveServerFiles, plainSerial, servedSerial } from '../security/tls-fixture.js';
import { decode, encode } from './bare-grpc-server.js';

let pki: TestPki;
let live: { cert: string; key: string };
let leanTls: EchoServerFixture;
let grpcJsTls: EchoServerFixture;
let leanPlain: EchoServerFixture;

before(async () => {
  pki = await makeTestPki();
  live = await liveServerFiles(pki);
  const tls = (files: { cert: string; key: string }) => ({ ...files, ca: pki.ca.cert, client_auth: 'require', reload_interval: '100ms' });
  [leanTls, grpcJsTls, leanPlain] = await Promise.all([
    startEchoServer({}, { server: { transport: 'http2' }, tls: tls(live) }),
    startEchoServer({}, { tls: tls({ cert: pki.server.cert, key: pki.server.key }) }),
    startEchoServer({}, { server: { transport: 'http2' } }),
  ]);
});
after(async () => {
  await Promise.all([leanTls, grpcJsTls, leanPlain].map((fixture) => fixture?.close()));
  await pki?.destroy();
});

const withClientCert = () => ({ ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key });

async function echoWith(transport: 'http2' | 'grpc-js', address: string, tls: ReturnType<typeof withClientCert> | { ca: string }): Promise<string> {
  const client = createClient<EchoServiceClient>(echoDescriptor({ client: { transport } }), { endpoints: [address], tls, timeout: 3_000, retry: { maxAttempts: 1 } });
  try {
    return (await client.echo({ text: 'over tls' })).instance;
  } finally {
    await closeClient(client);
  }
}

test('mTLS: lean client ↔ lean server, lean client → grpc-js server, grpc-js client → lean server', async () => {
  assert.equal((leanTls.server as unknown as { transport: { name: string } }).transport.name, 'http2');
  assert.equal(await echoWith('http2', leanTls.address, withClientCert()), 'echo-1');
  assert.equal(await echoWith('http2', grpcJsTls.address, withClientCert()), 'echo-1');
  assert.equal(await echoWith('grpc-js', leanTls.address, withClientCert()), 'echo-1');
});

test('client_auth "require": a lean client without a certificate is refused UNAVAILABLE, by either server', async () => {
  for (const address of [leanTls.address, grpcJsTls.address]) {
    await assert.rejects(echoWith('http2', address, { ca: pki.ca.cert }), (error: TuskError) => error.code === Code.UNAVAILABLE);
  }
  await assert.rejects(echoWith('grpc-js', leanTls.address, { ca: pki.ca.cert }), (error: TuskError) => error.code === Code.UNAVAILABLE);
});

test('the lean server swaps in a rotated certificate for new connections (reload_interval)', async () => {
  const rotated = await pki.issue(pki.ca, 'rotated', { commonName: 'localhost', altNames: SERVER_ALT_NAMES });
  const port = Number(leanTls.address.split(':')[1]);
  assert.equal(await servedSerial(port, pki.ca.cert), plainSerial(pki.server.serial));
  await pki.replaceAtomically(rotated.cert, live.cert);
  await pki.replaceAtomically(rotated.key, live.key);
  await waitUntil(async () => (await servedSerial(port, pki.ca.cert)) === plainSerial(rotated.serial), 5_000, 'the rotated certificate served');
  assert.equal(await echoWith('http2', leanTls.address, withClientCert()), 'echo-1');
});

test('gzip lean ↔ lean: a compressed request gets a compressed response, read back whole', async () => {
  const gzip = new Http2ClientTransport(leanPlain.address, { sendEncoding: 'gzip' });
  try {
    const text = 'squeeze '.repeat(2_000);
    const response = await gzip.unary('/test.v1.EchoService/Echo', encode({ text }), { metadata: {}, deadline: Date.now() + 5_000, signal: undefined });
    assert.equal(decode(response).text, text);
  } finally {
    gzip.close();
  }
});

test('a deadline weeks away (past setTimeout\'s 2^31-1 ms) is a deadline, not "now", on both lean sides', async () => {
  // A bare grpc-js server (1.14) ends such a call at once: its timer has the same limit.
  const lean = new Http2ClientTransport(leanPlain.address);
  try {
    const deadline = Date.now() + 30 * 24 * 3600 * 1000;
    const response = await lean.unary('/test.v1.EchoService/Echo', encode({ text: 'patient', delayMs: 30 }), { metadata: {}, deadline, signal: undefined });
    assert.equal(decode(response).text, 'patient');
  } finally {
    lean.close();
  }
});
