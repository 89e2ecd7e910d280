// Issue 9: stop() deregisters, keeps serving for drain_delay with health NOT_SERVING (so watching clients see the
// removal before anything is refused), then drains and closes, and only then awaits each service's onStop().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { LocalRegistry } from '../../../src/discovery/local-registry.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { captureLogger, startEchoServer, type LogLine } from '../../helpers/server-test-server.js';
import { rawEchoClient, unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';
import { checkHealth, healthClient } from './health-client.js';
import { onServerTransport, TRANSPORTS } from '../../helpers/transports.js';

const quiet = pino({ level: 'silent' });

class PoolService extends TestEchoService {
  readonly events: string[] = [];
  stopResult: Error | undefined;
  override async onStop(): Promise<void> {
    this.events.push(`onStop after ${this.completed} completed calls, ${this.inFlight} in flight`);
    if (this.stopResult) throw this.stopResult;
  }
}

function poolServer(service: PoolService, logs: LogLine[]): TuskServer {
  const server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, logger: captureLogger(logs), drainDelayMs: 0 });
  return server.add(service);
}

for (const transport of TRANSPORTS) {
  test(`[${transport}] during the drain delay the instance is deregistered and NOT_SERVING, and still serves calls`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tusk-drain-'));
    const registry = new LocalRegistry({ dir, ttlMs: 2_000, logger: quiet });
    // Long enough that the checks below all happen inside it even on a loaded machine; stop() is awaited at the end.
    const fixture = await startEchoServer({ registry, drainDelayMs: 5_000 }, onServerTransport(transport));
    const health = healthClient(fixture.address);
    const instanceFiles = () => readdirSync(dir, { recursive: true }).filter((name) => String(name).endsWith('.json'));
    try {
      assert.equal(instanceFiles().length, 1);
      assert.equal(await checkHealth(health, ''), 'SERVING');
      const stopping = fixture.server.stop();
      await waitUntil(async () => instanceFiles().length === 0 && (await checkHealth(health, '')) === 'NOT_SERVING', 4_000, 'deregistered and NOT_SERVING');
      const during = await unary(fixture.client, 'create', { text: 'during the drain delay' });
      assert.equal(during.response.text, 'during the drain delay');
      assert.equal(await checkHealth(health, 'test.v1.EchoService'), 'NOT_SERVING');
      await stopping;
      assert.ok(fixture.logs.some((line) => line.msg === 'draining' && line.drain_delay_ms === 5_000));
    } finally {
      health.close();
      await fixture.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`[${transport}] by default the drain delay is how long the registry takes to tell watchers: static 0, local its poll period, etcd 1s`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tusk-drain-'));
    const local = new LocalRegistry({ dir, ttlMs: 2_000, logger: quiet });
    try {
      assert.equal(new StaticRegistry([]).removalVisibleWithinMs, 0);
      assert.equal(local.removalVisibleWithinMs, 500 + 20);
      for (const [registry, expected, config] of [
        [local, 520, {}],
        [new StaticRegistry([]), 0, {}],
        [new StaticRegistry([]), 250, { server: { drain_delay: '250ms' } }],
      ] as const) {
        const fixture = await startEchoServer({ registry }, onServerTransport(transport, config));
        await fixture.close();
        const draining = fixture.logs.find((line) => line.msg === 'draining');
        assert.equal(draining?.drain_delay_ms, expected);
      }
    } finally {
      await local.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`[${transport}] onStop() runs once, after the in-flight calls finished and the server closed, before stop() resolves`, { timeout: 60_000 }, async () => {
    const service = new PoolService('pool', onServerTransport(transport));
    const logs: LogLine[] = [];
    const server = poolServer(service, logs);
    await server.start();
    const client = rawEchoClient(`127.0.0.1:${server.port}`);
    try {
      const slow = unary(client, 'echo', { text: 'slow', delayMs: 300 });
      await waitUntil(() => service.inFlight === 1, 5_000, 'the slow call to start');
      await Promise.all([server.stop(), server.stop()]);
      assert.equal((await slow).response.text, 'slow');
      assert.deepEqual(service.events, ['onStop after 1 completed calls, 0 in flight']);
    } finally {
      client.close();
    }
  });

  test(`[${transport}] a failing onStop() is logged and makes stop() reject; a failed start still stops the services that started`, { timeout: 60_000 }, async () => {
    const failing = new PoolService('failing', onServerTransport(transport));
    failing.stopResult = new Error('pool close failed');
    const logs: LogLine[] = [];
    const server = poolServer(failing, logs);
    await server.start();
    await assert.rejects(server.stop(), /pool close failed/);
    assert.ok(logs.some((line) => line.msg === 'onStop() failed' && line.service === 'test.v1.EchoService'));

    // The registry refuses the registration: start() fails after onStart() succeeded, so onStop() must run.
    const started = new PoolService('started', onServerTransport(transport));
    const refusing = new StaticRegistry([]);
    refusing.register = async () => {
      throw new Error('registry down');
    };
    const failedStart = new TuskServer({ host: '127.0.0.1', port: 0, registry: refusing, handleSignals: false, logger: quiet, drainDelayMs: 0 }).add(started);
    await assert.rejects(failedStart.start(), /registry down/);
    assert.deepEqual(started.events, ['onStop after 0 completed calls, 0 in flight']);
  });
}
