// Clients under pushback, against real grpc-js servers speaking the overload contract (shedding-server.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { onClientTransport, TRANSPORTS } from '../../helpers/transports.js';
import { waitUntil } from '../../helpers/wait.js';
import { startSheddingServer, type SheddingServer } from './shedding-server.js';

/** Gaps between one server's consecutive arrivals after a shed: each must be at least the pushback. */
function gapsAfterSheds(server: SheddingServer): number[] {
  const gaps: number[] = [];
  for (const shedAt of server.shedAt) {
    const next = server.arrivals.find((arrival) => arrival > shedAt);
    if (next !== undefined) gaps.push(next - shedAt);
  }
  return gaps;
}

async function failureOf(call: Promise<unknown>): Promise<TuskError> {
  const error = await call.then(() => undefined, (failure: unknown) => failure);
  assert.ok(error instanceof TuskError, `expected a TuskError, got ${String(error)}`);
  return error;
}

for (const transport of TRANSPORTS) {
  test(`[${transport}] a shed non-idempotent call is retried on another endpoint, runs once, and the shedding endpoint gets nothing before its pushback ends`, async () => {
    const shedding = await startSheddingServer({ admission: () => ({ kind: 'shed', pushback: '300', retryDelayMs: 300 }) });
    const healthy = await startSheddingServer();
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), {
      endpoints: [shedding.address, healthy.address],
      balancer: 'round_robin',
      circuitBreaker: { threshold: 1, halfOpenAfterMs: 60_000 }, // one counted failure would open it for the whole test
    });
    try {
      const started = Date.now();
      let calls = 0;
      // At least 1 s, and on a busy machine on until the shedding endpoint's post-pushback probe came (bounded: 5 s, 2,000 calls).
      while ((Date.now() - started < 1_000 || shedding.arrivals.length < 2) && Date.now() - started < 5_000 && calls < 2_000) {
        const reply = await client.create({ text: `c${calls++}` });
        assert.equal(reply.instance, healthy.address);
      }
      assert.equal(healthy.served.count, calls, 'every Create ran exactly once, on the healthy endpoint');
      assert.equal(shedding.served.count, 0);
      assert.ok(shedding.arrivals.length >= 2, `the shedding endpoint was tried again after its pushback (${shedding.arrivals.length} arrivals)`);
      assert.ok(shedding.arrivals.length <= 6, `${shedding.arrivals.length} arrivals in ~1 s at a 300 ms pushback`);
      for (const gap of gapsAfterSheds(shedding)) assert.ok(gap >= 300, `an attempt came ${gap.toFixed(1)} ms after a 300 ms pushback`);
      // Busy is not broken: once it serves again its breaker (threshold 1) is still closed and it gets calls at once.
      shedding.admission = () => ({ kind: 'serve' });
      await waitUntil(async () => (await client.create({ text: 'back' })).instance === shedding.address, 3_000, 'the shedding endpoint serving again');
    } finally {
      await closeClient(client);
      await Promise.all([shedding.stop(), healthy.stop()]);
    }
  });

  test(`[${transport}] with one endpoint the retry waits out the pushback (RetryInfo alone is enough) and never arrives early`, async () => {
    let sheds = 0;
    const server = await startSheddingServer({ admission: () => (sheds++ < 2 ? { kind: 'shed', retryDelayMs: 150 } : { kind: 'serve' }) });
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [server.address], timeout: 3_000, retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1 } });
    try {
      assert.equal((await client.create({ text: 'x' })).instance, server.address);
      assert.equal(server.arrivals.length, 3);
      const gaps = gapsAfterSheds(server);
      assert.equal(gaps.length, 2);
      for (const gap of gaps) assert.ok(gap >= 150, `retried ${gap.toFixed(1)} ms after a 150 ms pushback`);
      // A new call meanwhile would not be sent either: it fails fast, unsent, with the time left.
      sheds = 0;
      server.admission = () => ({ kind: 'shed', pushback: '5000' });
      const shed = await failureOf(client.echo({ text: 'y' }, { timeout: 300 }));
      assert.equal(shed.code, Code.UNAVAILABLE);
      const arrived = server.arrivals.length;
      const busy = await failureOf(client.echo({ text: 'z' }, { timeout: 300 }));
      assert.equal(busy.code, Code.UNAVAILABLE);
      assert.match(busy.message, /busy: they asked for no calls for \d+ ms more/);
      assert.equal(server.arrivals.length, arrived, 'nothing reached the endpoint during its pushback');
    } finally {
      await closeClient(client);
      await server.stop();
    }
  });

  test(`[${transport}] DEADLINE_TOO_SHORT is never retried, and a negative or unparseable pushback means do not retry`, async () => {
    const server = await startSheddingServer({ admission: () => ({ kind: 'too_short' }) });
    const other = await startSheddingServer();
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), {
      endpoints: [server.address],
      retry: { maxAttempts: 5, on: ['UNAVAILABLE', 'DEADLINE_EXCEEDED'], initialDelayMs: 1 },
      methods: { Echo: { idempotent: true } },
    });
    try {
      const tooShort = await failureOf(client.echo({ text: 'x' }));
      assert.equal(tooShort.code, Code.DEADLINE_EXCEEDED);
      assert.equal(tooShort.details?.errorInfo?.reason, 'DEADLINE_TOO_SHORT');
      assert.equal(server.arrivals.length, 1);
      for (const pushback of ['-1', 'later']) {
        server.admission = () => ({ kind: 'shed', pushback, retryDelayMs: 10 });
        const arrivedBefore: number = server.arrivals.length;
        const shed = await failureOf(client.echo({ text: pushback }));
        assert.equal(shed.code, Code.UNAVAILABLE);
        assert.equal(shed.details?.errorInfo?.reason, 'OVERLOADED', 'the server\'s status reaches the caller with its details');
        assert.equal(server.arrivals.length, arrivedBefore + 1, `pushback ${pushback}: one attempt only`);
      }
    } finally {
      await closeClient(client);
      await Promise.all([server.stop(), other.stop()]);
    }
  });

  test(`[${transport}] the retry budget pays for retries after sheds: attempts stay within calls × (1 + budget) + its floor`, async () => {
    const server = await startSheddingServer({ admission: () => ({ kind: 'shed', pushback: '0' }) });
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), {
      endpoints: [server.address],
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, budget: 0.2 },
    });
    try {
      const calls = 600;
      let failed = 0;
      for (let batch = 0; batch < calls / 50; batch++) {
        const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => client.create({ text: `${batch}.${i}` })));
        failed += results.filter((result) => result.status === 'rejected').length;
      }
      assert.equal(failed, calls);
      // RetryBudget: ratio 0.2 of calls plus 10 retries/s over its 10 s window (100); without it: 3 × 600 attempts.
      const retries = server.arrivals.length - calls;
      assert.ok(retries > 0, 'sheds were retried');
      assert.ok(retries <= calls * 0.2 + 100, `${retries} retries for ${calls} calls`);
    } finally {
      await closeClient(client);
      await server.stop();
    }
  });

  for (const balancer of ['p2c_ewma', 'least_request'] as const) {
    test(`[${transport}] ${balancer} sees a shedding endpoint as busy: it gets only the occasional call, even with pushback 0`, async () => {
      const shedding = await startSheddingServer({ admission: () => ({ kind: 'shed', pushback: '0' }) });
      const healthy = await startSheddingServer();
      const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [shedding.address, healthy.address], balancer });
      try {
        const started = Date.now();
        for (let i = 0; i < 300; i++) assert.equal((await client.echo({ text: `${i}` })).instance, healthy.address);
        // p2c: its cost is a failed call's penalty, re-measured about once a second; least_request: loaded for 250 ms
        // after each. A balancer blind to "busy" sends it about half (a shed is fast: fewest in flight, lowest latency).
        const elapsedMs = Date.now() - started;
        const bound = Math.min(90, 10 + (2 * elapsedMs) / 250);
        assert.ok(shedding.arrivals.length <= bound, `${shedding.arrivals.length} of 300 calls in ${elapsedMs} ms went to the shedding endpoint`);
      } finally {
        await closeClient(client);
        await Promise.all([shedding.stop(), healthy.stop()]);
      }
    });
  }

  test(`[${transport}] a shed stream is retried on another endpoint before its first message`, async () => {
    const shedding = await startSheddingServer({ admission: () => ({ kind: 'shed', pushback: '1000' }) });
    const healthy = await startSheddingServer();
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [shedding.address, healthy.address], balancer: 'round_robin' });
    try {
      for (let i = 0; i < 4; i++) {
        const got: string[] = [];
        for await (const message of client.countUp({ text: '3' })) got.push(`${message.text}@${message.instance === healthy.address ? 'healthy' : 'shedding'}`);
        assert.deepEqual(got, ['1@healthy', '2@healthy', '3@healthy']);
      }
      assert.equal(shedding.arrivals.length, 1, 'parked for its 1 s pushback after the first shed');
    } finally {
      await closeClient(client);
      await Promise.all([shedding.stop(), healthy.stop()]);
    }
  });

  test(`[${transport}] adaptive_limit: a client does not pile onto an endpoint past its limit; the excess fails fast, unsent`, async () => {
    const slow = await startSheddingServer({ delayMs: 300 });
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), {
      endpoints: [slow.address],
      retry: { maxAttempts: 1 },
      adaptiveLimit: { initialLimit: 2, minLimit: 1, maxLimit: 2, backoffRatio: 0.5 },
    });
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => client.echo({ text: `${i}` })));
      const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      assert.equal(results.length - rejected.length, 2);
      assert.equal(slow.arrivals.length, 2, 'the three over the limit never left the client');
      for (const { reason } of rejected) assert.match((reason as Error).message, /busy: at their adaptive limit/);
    } finally {
      await closeClient(client);
      await slow.stop();
    }
  });

  test(`[${transport}] a retry timed to a pushback's end finds the endpoint free: timers firing a little early waste no attempt`, async () => {
    let arrivals = 0;
    // Every other arrival is shed with a short pushback, so each call needs exactly its one retry.
    const server = await startSheddingServer({ admission: () => (arrivals++ % 2 === 0 ? { kind: 'shed', pushback: '7' } : { kind: 'serve' }) });
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [server.address], retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 } });
    try {
      for (let i = 0; i < 60; i++) assert.equal((await client.create({ text: `${i}` })).instance, server.address, `call ${i}`);
    } finally {
      await closeClient(client);
      await server.stop();
    }
  });
}
