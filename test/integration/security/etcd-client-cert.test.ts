// A real etcd that accepts only clients with a certificate from the test CA
// (--client-cert-auth --trusted-ca-file, https:// client URL): registration
// and watches work through [discovery] tls, come back after an etcd restart,
// and a client without a certificate is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRegistry } from '../../../src/discovery/index.js';
import type { DiscoverySection } from '../../../src/config/types.js';
import type { Logger } from '../../../src/telemetry/logger-types.js';
import { makeTestPki, type TestPki } from '../../helpers/certs.js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { EndpointRecorder } from '../discovery/endpoint-recorder.js';

const SERVICE = 'user.v1.UserService';

describe('etcd with client-certificate auth', () => {
  let pki: TestPki;
  let etcd: EtcdServer;
  let section: DiscoverySection;
  before(async () => {
    pki = await makeTestPki();
    etcd = await startEtcd({ tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert, clientCertAuth: true, healthClient: pki.client } });
    section = { provider: 'etcd', endpoints: [etcd.endpoint], prefix: 'services', ttlMs: 2_000, dir: '', tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key } };
  });
  after(async () => {
    await etcd?.destroy();
    await pki?.destroy();
  });

  test('register and discover over mTLS; after an etcd restart the watch sees a re-registration', async () => {
    assert.match(etcd.url, /^https:\/\//);
    const publisher = createRegistry(section);
    const watcher = createRegistry(section);
    const seen = new EndpointRecorder();
    const stopWatching = watcher.watch(SERVICE, seen.listener);
    try {
      const first = await publisher.register({ service: SERVICE, address: '127.0.0.1:7301', metadata: {} });
      await seen.until(['127.0.0.1:7301']);

      await etcd.stop();
      await etcd.start();
      await first.deregister();
      await seen.until([]);
      await publisher.register({ service: SERVICE, address: '127.0.0.1:7302', metadata: {} });
      await seen.until(['127.0.0.1:7302']);
    } finally {
      stopWatching();
      await Promise.all([publisher.close(), watcher.close()]);
    }
  });

  test('without a client certificate, or with one from the rogue CA, registration is refused', async () => {
    for (const tls of [{ ca: pki.ca.cert, cert: null, key: null }, { ca: pki.ca.cert, cert: pki.rogueClient.cert, key: pki.rogueClient.key }]) {
      const registry = createRegistry({ ...section, tls }, { logger: silent });
      try {
        await assert.rejects(registry.register({ service: SERVICE, address: '127.0.0.1:7303', metadata: {} }));
      } finally {
        await registry.close();
      }
    }
  });

  test('a certificate file that cannot be read is named in the error', () => {
    assert.throws(() => createRegistry({ ...section, tls: { ca: `${pki.dir}/missing-ca.pem`, cert: null, key: null } }), /\[discovery\] tls\.ca: cannot read .*missing-ca\.pem/);
    assert.throws(() => createRegistry({ ...section, tls: { ca: pki.ca.cert, cert: pki.client.cert, key: null } }), /tls\.cert is set without tls\.key/);
  });
});

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
