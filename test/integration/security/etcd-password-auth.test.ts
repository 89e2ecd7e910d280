// A real etcd with `auth enable`: a user whose role may use the services/
// prefix only. Registration and watches work through [discovery] username and
// password, survive token expiry (--auth-token-ttl) and re-register after an etcd
// restart (every simple token is lost), and a wrong password is refused without being quoted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRegistry } from '../../../src/discovery/index.js';
import type { DiscoverySection } from '../../../src/config/types.js';
import type { Logger } from '../../../src/telemetry/logger-types.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { enableEtcdAuth } from '../../helpers/etcd-auth.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';
import { startEtcd, type EtcdServer } from '../../helpers/etcd.js';
import { EndpointRecorder } from '../discovery/endpoint-recorder.js';

const SERVICE = 'user.v1.UserService';
const PASSWORD = 'registrar-pw-7f3a';
const TOKEN_TTL_S = 2;

describe('etcd with username/password auth', () => {
  let etcd: EtcdServer;
  let section: DiscoverySection;
  before(async () => {
    etcd = await startEtcd({ extraArgs: ['--auth-token=simple', `--auth-token-ttl=${TOKEN_TTL_S}`, '--bcrypt-cost=4'] });
    await enableEtcdAuth({ url: etcd.url, root: { username: 'root', password: 'root-pw' }, user: { username: 'registrar', password: PASSWORD }, prefix: 'services/' });
    section = { provider: 'etcd', endpoints: [etcd.endpoint], prefix: 'services', ttlMs: 3_000, dir: '', username: 'registrar', password: PASSWORD };
  });
  after(async () => {
    await etcd?.destroy();
  });

  test('register and discover; the watch and the registration outlive token expiry', async () => {
    const publisher = createRegistry(section, { logger: silent });
    const watcher = createRegistry(section, { logger: silent });
    const seen = new EndpointRecorder();
    const stopWatching = watcher.watch(SERVICE, seen.listener);
    try {
      const first = await publisher.register({ service: SERVICE, address: '127.0.0.1:7401', metadata: {} });
      await seen.until(['127.0.0.1:7401']);
      // Idle past the token's TTL: the next calls need a fresh token.
      await sleep((TOKEN_TTL_S + 1) * 1_000);
      const second = await publisher.register({ service: SERVICE, address: '127.0.0.1:7402', metadata: {} });
      await seen.until(['127.0.0.1:7401', '127.0.0.1:7402']);
      await Promise.all([first.deregister(), second.deregister()]);
      await seen.until([]);
    } finally {
      stopWatching();
      await Promise.all([publisher.close(), watcher.close()]);
    }
  });

  test('restart etcd (every simple token is lost): the registration comes back and a watch opened before sees new changes', async () => {
    const publisher = createRegistry(section, { logger: silent });
    const watcher = createRegistry(section, { logger: silent });
    const seen = new EndpointRecorder();
    const stopWatching = watcher.watch(SERVICE, seen.listener);
    try {
      const first = await publisher.register({ service: SERVICE, address: '127.0.0.1:7405', metadata: {} });
      await seen.until(['127.0.0.1:7405']);
      await etcd.stop();
      await etcd.start();
      const second = await publisher.register({ service: SERVICE, address: '127.0.0.1:7406', metadata: {} });
      await seen.until(['127.0.0.1:7405', '127.0.0.1:7406']);
      await first.deregister();
      await seen.until(['127.0.0.1:7406']);
      await second.deregister();
      await seen.until([]);
    } finally {
      stopWatching();
      await Promise.all([publisher.close(), watcher.close()]);
    }
  });

  test('a wrong password is refused, and the error does not contain it', async () => {
    const wrong = 'not-the-password-91c2';
    const registry = createRegistry({ ...section, password: wrong }, { logger: silent });
    try {
      const error = await registry.register({ service: SERVICE, address: '127.0.0.1:7404', metadata: {} }).then(() => undefined, (failure: unknown) => failure);
      assert.ok(error instanceof Error, 'registration is refused');
      assert.ok(!`${error.message} ${String(error.stack)}`.includes(wrong), `the error does not quote the password: ${error.message}`);
    } finally {
      await registry.close();
    }
  });

  test('a TuskServer registers with TUSK_ETCD_USERNAME / TUSK_ETCD_PASSWORD; neither its logs nor a refused start quote the password', async () => {
    const logs: LogLine[] = [];
    const env = { ...process.env, TUSK_DISCOVERY: 'etcd', TUSK_ETCD_ENDPOINTS: etcd.endpoint, TUSK_ADVERTISE_HOST: '127.0.0.1', TUSK_ETCD_USERNAME: 'registrar', TUSK_ETCD_PASSWORD: PASSWORD };
    const server = new TuskServer({ host: '127.0.0.1', port: 0, env, handleSignals: false, logger: captureLogger(logs) });
    server.add(new TestEchoService('echo-auth'));
    const watcher = createRegistry(section, { logger: silent });
    const seen = new EndpointRecorder();
    const stopWatching = watcher.watch('test.v1.EchoService', seen.listener);
    try {
      await server.start();
      await seen.until([`127.0.0.1:${server.port}`]);
      await server.stop();
      await seen.until([]);
    } finally {
      stopWatching();
      await watcher.close();
    }

    const wrong = 'wrong-pw-5d0e';
    const refused = new TuskServer({ host: '127.0.0.1', port: 0, env: { ...env, TUSK_ETCD_PASSWORD: wrong }, handleSignals: false, logger: captureLogger(logs) });
    refused.add(new TestEchoService('echo-refused'));
    const error = await refused.start().then(() => undefined, (failure: unknown) => failure);
    await refused.stop().catch(() => undefined);
    assert.ok(error instanceof Error, 'start() fails with a wrong password');
    assert.ok(!error.message.includes(wrong), `the start error does not quote the password: ${error.message}`);
    const written = JSON.stringify(logs);
    assert.ok(logs.length > 0, 'the servers logged');
    assert.ok(!written.includes(PASSWORD) && !written.includes(wrong), 'no log line contains a password');
  });

  test('a username without a password, or a password without a username, is a clear error', () => {
    assert.throws(() => createRegistry({ ...section, password: null }), /\[discovery\] username is set without password/);
    assert.throws(() => createRegistry({ ...section, username: null }), (error: Error) => /password is set without username/.test(error.message) && !error.message.includes(PASSWORD));
  });
});

const silent: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
