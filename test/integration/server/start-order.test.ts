// Issue 3: register only after the port is bound and the services are ready;
// health goes SERVING only after registration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { defineService, type ServiceDescriptor } from '../../../src/config/index.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import type { Registration, RegistrationHandle, Registry, EndpointsListener } from '../../../src/discovery/types.js';
import { ServiceBase } from '../../../src/server/service-base.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';
import { rawEchoClient, unary, waitFor } from '../../helpers/server-raw-client.js';
import { checkHealth, healthClient } from './health-client.js';

const ECHO = 'test.v1.EchoService';
const PING = 'test.v1.PingService';

/** A promise the test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { opened, open, fail };
}

/** A real Registry (a StaticRegistry underneath) whose register() stays pending until the test releases it. */
class GatedRegistry implements Registry {
  readonly pending: Array<Registration & { release(): void }> = [];
  readonly registered: string[] = [];
  private readonly inner = new StaticRegistry([]);
  private opened = false;

  async register(registration: Registration): Promise<RegistrationHandle> {
    const held = gate();
    this.pending.push({ ...registration, release: held.open });
    if (!this.opened) await held.opened;
    const handle = await this.inner.register();
    this.registered.push(registration.service);
    return handle;
  }

  /** Releases every pending and future register(), so a failing test cleans up instead of hanging. */
  openAll(): void {
    this.opened = true;
    for (const held of this.pending) held.release();
  }

  watch(service: string, listener: EndpointsListener): () => void {
    return this.inner.watch(service, listener);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

const json = {
  encode: (value: unknown) => new TextEncoder().encode(JSON.stringify(value)),
  decode: (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)),
};

/** A second hosted service, optionally with an onStart() hook the test holds open. */
class PingService extends ServiceBase {
  readonly descriptor: ServiceDescriptor = defineService({
    name: PING,
    protoFile: 'test/v1/ping.proto',
    descriptorFile: null,
    config: {},
    methods: {
      ping: {
        name: 'Ping',
        localName: 'ping',
        path: `/${PING}/Ping`,
        kind: 'unary',
        serializeRequest: json.encode,
        deserializeRequest: json.decode,
        serializeResponse: json.encode,
        deserializeResponse: json.decode,
      },
    },
  });
  startCalls = 0;

  constructor(private readonly startGate?: Promise<void>) {
    super();
  }

  override async onStart(): Promise<void> {
    this.startCalls += 1;
    await this.startGate;
  }

  async ping(): Promise<{ ok: boolean }> {
    return { ok: true };
  }
}

function newServer(registry: Registry, logs: LogLine[] = []): TuskServer {
  return new TuskServer({ host: '127.0.0.1', port: 0, registry, handleSignals: false, logger: captureLogger(logs) });
}

async function healthOf(address: string): Promise<Record<string, string>> {
  const client = healthClient(address);
  try {
    return { '': await checkHealth(client, ''), [ECHO]: await checkHealth(client, ECHO), [PING]: await checkHealth(client, PING) };
  } finally {
    client.close();
  }
}

const allAre = (status: string) => ({ '': status, [ECHO]: status, [PING]: status });

/** True when nothing accepts TCP connections on the port any more. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

test('registration waits for the bound port; health is SERVING only after every service registered', async () => {
  const registry = new GatedRegistry();
  const server = newServer(registry).add(new TestEchoService()).add(new PingService());
  let startSettled = false;
  const started = server.start().finally(() => (startSettled = true));
  try {
    await waitFor(() => registry.pending.length === 1, 'the first register() call');
    const address = `127.0.0.1:${server.port}`;
    assert.ok(server.port > 0, 'the port is bound before anything is registered');
    assert.equal(registry.pending[0]!.address, address, 'the registered address is the bound port');
    // The port already answers gRPC: health says NOT_SERVING overall and per service.
    assert.deepEqual(await healthOf(address), allAre('NOT_SERVING'));

    registry.pending[0]!.release();
    await waitFor(() => registry.pending.length === 2, 'the second register() call');
    assert.deepEqual(registry.registered, [registry.pending[0]!.service]);
    assert.deepEqual(await healthOf(address), allAre('NOT_SERVING'), 'one service still unregistered');
    assert.equal(startSettled, false, 'start() waits for every registration');

    registry.pending[1]!.release();
    await started;
    assert.deepEqual(new Set(registry.registered), new Set([ECHO, PING]));
    assert.deepEqual(await healthOf(address), allAre('SERVING'));
  } finally {
    registry.openAll();
    await started.catch(() => undefined);
    await server.stop();
  }
});

test('onStart() runs after bind and before registration; until it resolves nothing is registered and health is NOT_SERVING', async () => {
  const registry = new GatedRegistry();
  const ready = gate();
  const ping = new PingService(ready.opened);
  const server = newServer(registry).add(new TestEchoService()).add(ping);
  const started = server.start();
  try {
    await waitFor(() => ping.startCalls === 1, 'onStart() to be called');
    const address = `127.0.0.1:${server.port}`;
    assert.ok(server.port > 0, 'onStart() runs once the port is bound');
    assert.deepEqual(await healthOf(address), allAre('NOT_SERVING'));
    // Give the server every chance to register too early.
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(registry.pending.length, 0, 'nothing is registered while a service is not ready');

    ready.open();
    await waitFor(() => registry.pending.length === 1, 'registration after onStart()');
    for (let released = 0; released < 2; released += 1) {
      await waitFor(() => registry.pending.length > released, 'the next register() call');
      registry.pending[released]!.release();
    }
    await started;
    assert.equal(ping.startCalls, 1);
    assert.deepEqual(await healthOf(address), allAre('SERVING'));
    const client = rawEchoClient(address);
    try {
      assert.equal((await unary(client, 'echo', { text: 'after start' })).response.text, 'after start');
    } finally {
      client.close();
    }
  } finally {
    ready.open();
    registry.openAll();
    await started.catch(() => undefined);
    await server.stop();
  }
});

test('an onStart() that throws fails start(): nothing is registered and the port is released', async () => {
  const registry = new GatedRegistry();
  const ready = gate();
  const ping = new PingService(ready.opened);
  const server = newServer(registry).add(new TestEchoService()).add(ping);
  const started = server.start();
  try {
    await waitFor(() => ping.startCalls === 1, 'onStart() to be called');
    const port = server.port;
    ready.fail(new Error('database unreachable'));
    await assert.rejects(started, /database unreachable/);
    assert.equal(registry.pending.length, 0);
    assert.equal(await refusesConnections(port), true, 'the bound port is closed again');
  } finally {
    await started.catch(() => undefined);
    await server.stop();
  }
});
