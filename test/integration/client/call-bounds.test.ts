// Every call is bounded and cancellable: deadlines that cannot mean "none", and the caller's
// signal and deadline honoured wherever a call waits (connection, bulkhead queue, retry backoff).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter, on } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { closeClient, createClient } from '../../../src/client/index.js';
import type { Endpoint, Registry } from '../../../src/discovery/types.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoRequest, type EchoServiceClient } from '../../helpers/echo-service.js';
import { onClientTransport, TRANSPORTS, type TransportName } from '../../helpers/transports.js';
import { waitUntil } from '../../helpers/wait.js';
import { startEchoServer, type EchoServer } from './echo-grpc-server.js';

let live: EchoServer;
let blackHole: Server;
let blackHoleAddress: string;
let deadAddress: string;
const silentSockets = new Set<Socket>();

before(async () => {
  live = await startEchoServer();
  // Accepts connections and never answers: the HTTP/2 handshake never completes.
  blackHole = createServer((socket) => {
    silentSockets.add(socket);
    socket.on('close', () => silentSockets.delete(socket));
  });
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
  blackHoleAddress = `127.0.0.1:${(blackHole.address() as { port: number }).port}`;
  deadAddress = await new Promise<string>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
});
after(async () => {
  await live.stop();
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => blackHole.close(() => resolve()));
});

const isCode = (code: Code, pattern?: RegExp) => (error: unknown) =>
  error instanceof TuskError && error.code === code && (pattern === undefined || pattern.test(error.message));

/** `call` rejects with `code` within `withinMs`: a bound with generous slack, the machine is shared. */
async function assertRejectsWithin(call: Promise<unknown>, code: Code, withinMs: number, pattern?: RegExp): Promise<void> {
  const started = performance.now();
  await assert.rejects(call, isCode(code, pattern));
  const elapsed = performance.now() - started;
  assert.ok(elapsed < withinMs, `settled after ${Math.round(elapsed)} ms`);
}

/** A client whose every attempt finds no connection and is retried after a 3 s backoff. */
const slowRetryingClient = (transport: TransportName) =>
  createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), {
    endpoints: [deadAddress],
    retry: { maxAttempts: 5, backoff: 'constant', initialDelayMs: 3_000 },
    circuitBreaker: { threshold: 1_000 },
  });

for (const transport of TRANSPORTS) {
  test(`[${transport}] a timeout of 0, below 0 or NaN, or a past deadline fails with DEADLINE_EXCEEDED without going on the wire`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [live.address] });
    try {
      await client.echo({ text: 'warm up' });
      const before = live.calls.count;
      for (const options of [{ timeout: 0 }, { timeout: -1 }, { timeout: Number.NaN }, { deadline: Date.now() - 10 }, { deadline: new Date(Number.NaN) }]) {
        await assert.rejects(client.echo({ text: 'x' }, options), isCode(Code.DEADLINE_EXCEEDED), JSON.stringify(options));
        await assert.rejects(client.countUp({ text: '2' }, options)[Symbol.asyncIterator]().next(), isCode(Code.DEADLINE_EXCEEDED));
      }
      assert.equal(live.calls.count, before, 'nothing reached the server');
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] an aborted call waiting for a connection to a black-hole address settles at once with CANCELLED`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [blackHoleAddress], retry: { maxAttempts: 1 } });
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      await assertRejectsWithin(client.echo({ text: 'x' }, { timeout: 10_000, signal: controller.signal }), Code.CANCELLED, 2_000);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] a call queued in the bulkhead honours its deadline and its signal, and leaves the queue when it does`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [live.address], bulkhead: { maxConcurrent: 1, queue: 1 } });
    try {
      const running = client.echo({ text: 'slow', delayMs: 1_500 }, { timeout: 5_000 });
      await assertRejectsWithin(client.echo({ text: 'queued' }, { timeout: 100 }), Code.DEADLINE_EXCEEDED, 1_000, /bulkhead/);

      const controller = new AbortController();
      const cancelled = client.echo({ text: 'queued' }, { signal: controller.signal });
      controller.abort();
      await assert.rejects(cancelled, isCode(Code.CANCELLED));
      // Both left the queue: its one place is free again.
      const waitsItsTurn = client.echo({ text: 'next' }, { timeout: 5_000 });
      await running;
      assert.equal((await waitsItsTurn).text, 'next');
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] a deadline weeks away is a deadline, not "now": queued calls and calls waiting for discovery wait their turn`, async () => {
    // Further than setTimeout's 2^31-1 ms, which Node turns into 1 ms.
    const weeksAway = 30 * 24 * 3600 * 1000;
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [live.address], bulkhead: { maxConcurrent: 1, queue: 2 } });
    try {
      const running = client.echo({ text: 'slow', delayMs: 200 });
      const queued = client.echo({ text: 'queued' }, { timeout: weeksAway });
      const queuedUntil = client.echo({ text: 'queued until' }, { deadline: new Date(Date.now() + weeksAway) });
      await running;
      assert.equal((await queued).text, 'queued');
      assert.equal((await queuedUntil).text, 'queued until');
    } finally {
      await closeClient(client);
    }
    let answer: ((list: readonly Endpoint[]) => void) | undefined;
    const lateRegistry: Registry = {
      register: () => Promise.reject(new Error('not used')),
      watch: (_service, listener) => {
        answer = listener;
        return () => {};
      },
      close: () => Promise.resolve(),
    };
    const late = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { registry: lateRegistry });
    try {
      const waiting = late.echo({ text: 'found' }, { timeout: weeksAway });
      setTimeout(() => answer!([{ address: live.address, metadata: {} }]), 100);
      assert.equal((await waiting).text, 'found');
    } finally {
      await closeClient(late);
    }
  });

  test(`[${transport}] the retry backoff never sleeps past the deadline`, async () => {
    const client = slowRetryingClient(transport);
    try {
      await assertRejectsWithin(client.echo({ text: 'x' }, { timeout: 300 }), Code.UNAVAILABLE, 2_000, /no connection/);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] a call cancelled during the retry backoff settles at once with CANCELLED`, async () => {
    const client = slowRetryingClient(transport);
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 300);
      await assertRejectsWithin(client.echo({ text: 'x' }, { timeout: 20_000, signal: controller.signal }), Code.CANCELLED, 2_000, /backoff/);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] a call cancelled in the bulkhead queue rejects with a TuskError CANCELLED`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [live.address], bulkhead: { maxConcurrent: 1, queue: 4 } });
    try {
      const running = client.echo({ text: 'slow', delayMs: 300 });
      const controller = new AbortController();
      const queued = client.echo({ text: 'queued' }, { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(queued, isCode(Code.CANCELLED));
      await running;
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] after a call ends, the client stops reading the request stream and lets it clean up`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [live.address] });
    try {
      for (const kind of ['collect', 'chat'] as const) {
        // A request stream fed by events, as an application's would be: one message, then nothing more for now.
        const emitter = new EventEmitter();
        const requests = eventRequests(emitter);
        setTimeout(() => emitter.emit('request', 'first'), 20);
        const call = kind === 'collect' ? client.collect(requests, { timeout: 300 }) : drain(client.chat(requests, { timeout: 300 }));
        await assert.rejects(call, isCode(Code.DEADLINE_EXCEEDED), kind);
        await waitUntil(() => emitter.listenerCount('request') === 0, 5_000, () => `${kind}: the request stream to be closed (${emitter.listenerCount('request')} listener left)`);
      }
    } finally {
      await closeClient(client);
    }
  });
}

/** Requests from 'request' events, with the iterator `events.on` gives: its return() ends a pending read at once. */
function eventRequests(emitter: EventEmitter): AsyncIterable<EchoRequest> {
  const events = on(emitter, 'request');
  return {
    [Symbol.asyncIterator]: () => ({
      next: async (): Promise<IteratorResult<EchoRequest>> => {
        const event = await events.next();
        return event.done ? { done: true, value: undefined } : { done: false, value: { text: event.value[0] as string } };
      },
      return: async (): Promise<IteratorResult<EchoRequest>> => {
        await events.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream);
}
