// Shared by the tls-*.test.ts files: a TLS echo server from a [tls] block, and
// clients with chosen certificates, all on 127.0.0.1.
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestPki } from '../../helpers/certs.js';
import { closeClient, createClient } from '../../../src/client/index.js';
import type { TargetTlsOverrides } from '../../../src/config/types.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import type { TuskClient } from '../../../src/client/create-client.js';

export type TlsEchoClient = EchoServiceClient & TuskClient;

/** A client of one address that tries once, so a refused handshake shows at once as UNAVAILABLE. */
export function tlsClient(address: string, tls: TargetTlsOverrides, timeoutMs = 3_000): TlsEchoClient {
  return createClient<TlsEchoClient>(echoDescriptor(), { endpoints: [address], tls, timeout: timeoutMs, retry: { maxAttempts: 1 } });
}

/** Calls once and closes; resolves with the reply's text or rejects with the call's error. */
export async function echoOnce(address: string, tls: TargetTlsOverrides): Promise<string> {
  const client = tlsClient(address, tls);
  try {
    return (await client.echo({ text: 'ping' })).text;
  } finally {
    await closeClient(client);
  }
}

/** Serial (upper-case hex, as openssl prints it) of the certificate a NEW connection to `port` is served. */
export function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: readFileSync(ca), servername: 'localhost', ALPNProtocols: ['h2'] }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.destroy();
      resolve(serial.toUpperCase().replace(/^0+(?=.)/, ''));
    });
    socket.once('error', reject);
  });
}

/** openssl's serial printed like servedSerial's. */
export const plainSerial = (serial: string): string => serial.toUpperCase().replace(/^0+(?=.)/, '');

/** A copy of the PKI's server certificate and key in their own folder, to rotate in place (a mounted secret's files). */
export async function liveServerFiles(pki: TestPki): Promise<{ cert: string; key: string }> {
  const dir = join(pki.dir, 'live');
  await mkdir(dir);
  const live = { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
  await Promise.all([copyFile(pki.server.cert, live.cert), copyFile(pki.server.key, live.key)]);
  return live;
}
