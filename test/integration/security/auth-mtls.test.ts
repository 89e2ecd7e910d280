// mTLS identity through real grpc-js: the server chain with the auth stage on a
// grpc-js Server bound with certificate-provider TLS credentials that request (not require) a
// client certificate, and real TLS clients. TuskServer itself binds TLS with
// the [tls] work; this proves getAuthContext() → ctx.principal meanwhile.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { resolveDescriptor } from '../../../src/config/resolve-descriptor.js';
import { createAuthStage, type AuthStage } from '../../../src/security/auth/index.js';
import { ActiveCalls } from '../../../src/server/active-calls.js';
import { bindService } from '../../../src/server/bind-service.js';
import { InFlightCalls } from '../../../src/server/in-flight-calls.js';
import { serverInterceptorChain } from '../../../src/server/server-interceptors.js';
import { noopCallHook } from '../../../src/server/server-hooks.js';
import { Code } from '../../../src/status/codes.js';
import { CLIENT_SPIFFE_ID, makeTestPki, type IssuedCertificate, type TestPki } from '../../helpers/certs.js';
import { echoDescriptor } from '../../helpers/echo-service.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { unaryStatus } from './auth-fixtures.js';
import type { RawEchoClient } from '../../helpers/server-raw-client.js';

let pki: TestPki;
let server: grpc.Server;
let stage: AuthStage;
let port: number;
let provider: grpc.experimental.FileWatcherCertificateProvider;
const service = new TestEchoService('mtls-echo');

before(async () => {
  pki = await makeTestPki();
  const logger = pino({ level: 'silent' });
  const config = resolveDescriptor({ auth: { mtls: { scopes: ['echo:read'] }, default_scopes: ['echo:read'] }, methods: { Create: { scopes: ['echo:write'] } } }, null, service.descriptor.name);
  stage = createAuthStage([{ descriptor: service.descriptor, config }], { logger, recordRefusal: () => undefined })!;
  server = new grpc.Server({
    interceptors: serverInterceptorChain({ inFlight: new InFlightCalls(() => true), logger, trace: noopCallHook, metrics: noopCallHook, auth: stage.hook }),
  });
  const { definition, implementation } = bindService(service, logger, new ActiveCalls());
  server.addService(definition, implementation);
  // client_auth "request": a client may connect without a certificate, so the auth stage is what refuses it.
  // (createSsl(..., false) would not ask for a client certificate at all.) One provider serves both roles:
  // grpc-js 1.14's createCertificateProviderServerCredentials names its first two parameters (ca, identity)
  // but passes them on as (identity, ca).
  provider = new grpc.experimental.FileWatcherCertificateProvider({
    certificateFile: pki.server.cert, privateKeyFile: pki.server.key, caCertificateFile: pki.ca.cert, refreshIntervalMs: 60_000,
  });
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
  port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))));
});

after(async () => {
  server?.forceShutdown();
  stage?.close();
  await pki?.destroy();
});

async function tlsClient(certificate?: IssuedCertificate): Promise<RawEchoClient> {
  const ca = await readFile(pki.ca.cert);
  const credentials = certificate
    ? grpc.credentials.createSsl(ca, await readFile(certificate.key), await readFile(certificate.cert))
    : grpc.credentials.createSsl(ca);
  const definition: grpc.ServiceDefinition = Object.fromEntries(Object.values(echoDescriptor().methods).map((method) => [method.localName, {
    path: method.path, requestStream: false, responseStream: false,
    requestSerialize: (message: unknown) => Buffer.from(method.serializeRequest(message)),
    requestDeserialize: (bytes: Buffer) => method.deserializeRequest(bytes),
    responseSerialize: (message: unknown) => Buffer.from(method.serializeResponse(message)),
    responseDeserialize: (bytes: Buffer) => method.deserializeResponse(bytes),
  }]));
  const Client = grpc.makeGenericClientConstructor(definition, 'EchoService');
  return new Client(`127.0.0.1:${port}`, credentials) as unknown as RawEchoClient;
}

test('a client certificate the CA verified: the SPIFFE id is the principal, with the configured scopes', async () => {
  const client = await tlsClient(pki.client);
  try {
    const before = service.calls.length;
    const status = await unaryStatus(client, 'echo');
    assert.equal(status.code, Code.OK, status.details);
    const principal = service.calls[before]!.ctx.principal;
    assert.deepEqual({ kind: principal?.kind, subject: principal?.subject, scopes: principal?.scopes }, { kind: 'mtls', subject: CLIENT_SPIFFE_ID, scopes: ['echo:read'] });
    const denied = await unaryStatus(client, 'create');
    assert.equal(denied.code, Code.PERMISSION_DENIED);
    assert.equal(denied.errorInfo?.metadata?.missing_scopes, 'echo:write');
  } finally {
    client.close();
  }
});

test('no client certificate, or one from a rogue CA: UNAUTHENTICATED', async () => {
  for (const certificate of [undefined, pki.rogueClient]) {
    const client = await tlsClient(certificate);
    try {
      const status = await unaryStatus(client, 'echo');
      assert.equal(status.code, Code.UNAUTHENTICATED, certificate ? 'rogue CA' : 'no certificate');
      assert.equal(status.errorInfo?.reason, 'NO_CREDENTIALS');
    } finally {
      client.close();
    }
  }
});

test('a bearer token this service does not accept is passed over: the certificate still authenticates', async () => {
  const client = await tlsClient(pki.client);
  try {
    const before = service.calls.length;
    const status = await unaryStatus(client, 'echo', { authorization: 'Bearer forwarded.end-user.token' });
    assert.equal(status.code, Code.OK, status.details);
    assert.equal(service.calls[before]!.ctx.principal?.kind, 'mtls');
  } finally {
    client.close();
  }
});
