// The mTLS subject, read from real openssl certificates through a real
// node:tls handshake: getPeerCertificate() there is the object grpc-js'
// getAuthContext() hands over.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { connect, createServer, type PeerCertificate, type TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { certificateSubject, mtlsPrincipal } from '../../../src/security/auth/mtls-identity.js';
import { CLIENT_SPIFFE_ID, makeTestPki, type IssuedCertificate, type TestPki } from '../../helpers/certs.js';

let pki: TestPki;

before(async () => {
  pki = await makeTestPki();
});

after(async () => {
  await pki?.destroy();
});

/** The client certificate as the server side of a mutual TLS handshake on loopback sees it. */
async function peerCertificateOf(client: IssuedCertificate): Promise<PeerCertificate> {
  const [ca, serverCert, serverKey, clientCert, clientKey] = await Promise.all([pki.ca.cert, pki.server.cert, pki.server.key, client.cert, client.key].map((file) => readFile(file)));
  const server = createServer({ cert: serverCert, key: serverKey, ca, requestCert: true, rejectUnauthorized: true });
  const seen = new Promise<PeerCertificate>((resolve) => server.once('secureConnection', (socket: TLSSocket) => {
    assert.equal(socket.authorized, true);
    resolve(socket.getPeerCertificate());
    socket.end();
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca, cert: clientCert, key: clientKey });
  socket.on('error', () => undefined);
  try {
    return await seen;
  } finally {
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('a SPIFFE URI SAN is the subject', async () => {
  const certificate = await peerCertificateOf(pki.client);
  assert.equal(certificateSubject(certificate), CLIENT_SPIFFE_ID);
  const principal = mtlsPrincipal(certificate, ['orders:read']);
  assert.equal(principal?.kind, 'mtls');
  assert.equal(principal?.subject, CLIENT_SPIFFE_ID);
  assert.deepEqual(principal?.scopes, ['orders:read']);
  assert.equal(principal?.claims.cn, 'test-client');
});

test('without a SPIFFE URI, the first DNS SAN; without SANs, the CN', async () => {
  const dnsOnly = await pki.issue(pki.ca, 'dns-client', { commonName: 'dns-cn', altNames: ['URI:https://not-spiffe.test/x', 'DNS:orders.internal', 'DNS:second.internal'] });
  assert.equal(certificateSubject(await peerCertificateOf(dnsOnly)), 'orders.internal');
  const cnOnly = await pki.issue(pki.ca, 'cn-client', { commonName: 'billing-batch' });
  assert.equal(certificateSubject(await peerCertificateOf(cnOnly)), 'billing-batch');
});

test('no certificate, no principal', () => {
  assert.equal(mtlsPrincipal(undefined, []), undefined);
});
