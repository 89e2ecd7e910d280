// A long-lived AbortSignal (an application's shutdown signal, a parent call's) is
// passed to many calls: each call's abort listener must be gone when it ends,
// on every path, or the signal leaks one listener per call.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { createServer } from 'node:net';
import { closeClient, createClient } from '../../../src/client/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { echoRequests, responseTexts } from '../../helpers/echo-streams.js';
import { waitUntil } from '../../helpers/wait.js';
import { startEchoServer, type EchoServer } from './echo-grpc-server.js';

let live: EchoServer;
let deadAddress: string;

before(async () => {
  live = await startEchoServer();
  deadAddress = await new Promise<string>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
});
after(() => live.stop());

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length;
const settled = (call: Promise<unknown>): Promise<unknown> => call.then(() => 'ok', (error: unknown) => (error instanceof TuskError ? error.codeName : error));

test("calls leave no abort listener on the caller's long-lived signal, whatever way they end", async () => {
  const app = new AbortController();
  const signal = app.signal;
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [live.address], bulkhead: { maxConcurrent: 1, queue: 8 } });
  const dead = createClient<EchoServiceClient>(echoDescriptor(), {
    endpoints: [deadAddress],
    retry: { maxAttempts: 3, backoff: 'constant', initialDelayMs: 20 },
    circuitBreaker: { threshold: 1_000 },
  });
  try {
    const outcomes = await Promise.all([
      settled(client.echo({ text: 'a' }, { signal })),
      settled(client.echo({ text: 'b', fail: Code.NOT_FOUND }, { signal })),
      settled(client.echo({ text: 'slow', delayMs: 500 }, { signal, timeout: 50 })), // queued, then past its deadline
      settled(responseTexts(client.countUp({ text: '3' }, { signal }))),
      settled(client.collect(echoRequests('x', 'y'), { signal })),
      settled(responseTexts(client.chat(echoRequests('p'), { signal }))),
      settled(dead.echo({ text: 'nowhere' }, { signal })), // connection waits and retry backoffs
    ]);
    assert.deepEqual(outcomes, ['ok', 'NOT_FOUND', 'DEADLINE_EXCEEDED', 'ok', 'ok', 'ok', 'UNAVAILABLE']);
    for await (const message of client.countUp({ text: '100', delayMs: 10 }, { signal })) if (message.text === '2') break;
    await assert.rejects(responseTexts(client.countUp({ text: '5', fail: Code.ABORTED, failAfter: 2 }, { signal })), (error: unknown) => error instanceof TuskError && error.code === Code.ABORTED);
    await waitUntil(() => listeners(signal) === 0, 5_000, () => `no abort listener left on the signal (${listeners(signal)} left)`);
  } finally {
    await closeClient(client);
    await closeClient(dead);
  }
});
