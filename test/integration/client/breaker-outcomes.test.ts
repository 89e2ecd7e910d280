// Which failures open an endpoint's circuit: only those that say the endpoint is failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientEndpoints, closeClient, createClient } from '../../../src/client/index.js';
import type { Registry } from '../../../src/discovery/types.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { onClientTransport, TRANSPORTS, type TransportName } from '../../helpers/transports.js';
import { waitUntil } from '../../helpers/wait.js';
import { startEchoServer, twoEchoServersPerFile } from './echo-grpc-server.js';

const servers = twoEchoServersPerFile();

const isCode = (code: Code, pattern?: RegExp) => (error: unknown) =>
  error instanceof TuskError && error.code === code && (pattern === undefined || pattern.test(error.message));

function twoServerClient(transport: TransportName, options: Parameters<typeof createClient>[1] = {}): EchoServiceClient {
  return createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address, servers.second.address], balancer: 'round_robin', ...options });
}

async function assertAllUsable(client: EchoServiceClient): Promise<void> {
  assert.deepEqual(clientEndpoints(client).map((endpoint) => endpoint.usable), [true, true]);
  assert.equal((await client.echo({ text: 'normal' })).text, 'normal');
}

for (const transport of TRANSPORTS) {
  test(`[${transport}] the caller's own deadline expiring does not open any circuit`, async () => {
    const client = twoServerClient(transport);
    try {
      for (let i = 0; i < 12; i++) {
        await assert.rejects(client.echo({ text: 'slow', delayMs: 50 }, { timeout: 10 }), isCode(Code.DEADLINE_EXCEEDED));
      }
      await assertAllUsable(client);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] INTERNAL replies to one bad request do not open any circuit by default`, async () => {
    const client = twoServerClient(transport);
    try {
      for (let i = 0; i < 12; i++) await assert.rejects(client.echo({ text: 'bad', fail: Code.INTERNAL }), isCode(Code.INTERNAL));
      for (let i = 0; i < 6; i++) await assert.rejects(client.echo({ text: 'bad', fail: Code.UNKNOWN }), isCode(Code.UNKNOWN));
      await assertAllUsable(client);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] circuit_breaker.on decides which codes count: INTERNAL when listed`, async () => {
    const client = twoServerClient(transport, { circuitBreaker: { threshold: 3, on: ['UNAVAILABLE', 'INTERNAL'] } });
    try {
      for (let i = 0; i < 6; i++) await assert.rejects(client.echo({ text: 'bad', fail: Code.INTERNAL }), isCode(Code.INTERNAL));
      assert.deepEqual(clientEndpoints(client).map((endpoint) => endpoint.usable), [false, false]);
      await assert.rejects(client.echo({ text: 'normal' }), isCode(Code.UNAVAILABLE, /all 2 endpoints/));
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] UNAVAILABLE replies count against the endpoint that sent them`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address], circuitBreaker: { threshold: 3 } });
    try {
      for (let i = 0; i < 3; i++) await assert.rejects(client.echo({ text: 'down', fail: Code.UNAVAILABLE }), isCode(Code.UNAVAILABLE));
      assert.deepEqual(clientEndpoints(client).map((endpoint) => endpoint.usable), [false]);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] an expired per-try timeout counts against the endpoint`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), {
      endpoints: [servers.first.address],
      perTryTimeout: 20,
      timeout: 5_000,
      retry: { maxAttempts: 1 },
      circuitBreaker: { threshold: 3 },
    });
    try {
      for (let i = 0; i < 3; i++) await assert.rejects(client.echo({ text: 'slow', delayMs: 300 }), isCode(Code.DEADLINE_EXCEEDED));
      assert.deepEqual(clientEndpoints(client).map((endpoint) => endpoint.usable), [false]);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] business codes never count`, async () => {
    const client = twoServerClient(transport, { circuitBreaker: { threshold: 2 } });
    try {
      for (const code of [Code.NOT_FOUND, Code.INVALID_ARGUMENT, Code.PERMISSION_DENIED, Code.FAILED_PRECONDITION, Code.ALREADY_EXISTS]) {
        for (let i = 0; i < 4; i++) await assert.rejects(client.echo({ text: 'no', fail: code }), isCode(code));
      }
      await assertAllUsable(client);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] metadata with a non-ASCII value or an illegal key is INVALID_ARGUMENT and never reaches an endpoint`, async () => {
    const client = twoServerClient(transport);
    try {
      const before = servers.first.calls.count + servers.second.calls.count;
      for (let i = 0; i < 6; i++) {
        await assert.rejects(client.echo({ text: 'x' }, { metadata: { 'x-name': 'Zoë' } }), isCode(Code.INVALID_ARGUMENT, /x-name/));
        await assert.rejects(client.echo({ text: 'x' }, { metadata: { 'Bad Key': 'v' } }), isCode(Code.INVALID_ARGUMENT, /Bad Key/));
        await assert.rejects(client.countUp({ text: '1' }, { metadata: { 'x-name': 'Zoë' } })[Symbol.asyncIterator]().next(), isCode(Code.INVALID_ARGUMENT));
      }
      assert.equal(servers.first.calls.count + servers.second.calls.count, before);
      await assertAllUsable(client);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] a request that fails to encode is INVALID_ARGUMENT and never counts`, async () => {
    const client = twoServerClient(transport, { circuitBreaker: { threshold: 1 } });
    try {
      const unencodable = { text: 'x', delayMs: 10n } as unknown as { text: string };
      for (let i = 0; i < 4; i++) await assert.rejects(client.echo(unencodable), isCode(Code.INVALID_ARGUMENT, /encode/));
      async function* requests() {
        yield unencodable;
      }
      await assert.rejects(client.collect(requests()), isCode(Code.INVALID_ARGUMENT, /encode/));
      await assertAllUsable(client);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] a request stream that throws fails the call with a TuskError and never counts`, async () => {
    const client = twoServerClient(transport, { circuitBreaker: { threshold: 1 } });
    try {
      async function* broken() {
        yield { text: 'a' };
        throw new Error('the caller broke');
      }
      for (let i = 0; i < 3; i++) await assert.rejects(client.collect(broken()), isCode(Code.CANCELLED, /the caller broke/));
      await assertAllUsable(client);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] "no endpoint known" and "discovery never answered" are told apart from "all circuits open"`, async () => {
    const empty = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [] });
    const silent: Registry = { register: () => Promise.reject(new Error('unused')), watch: () => () => {}, close: async () => {} };
    const waiting = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { registry: silent });
    try {
      await assert.rejects(empty.echo({ text: 'x' }), isCode(Code.UNAVAILABLE, /no endpoints? (is )?known.*discovery lists none/));
      await assert.rejects(waiting.echo({ text: 'x' }, { timeout: 100 }), isCode(Code.UNAVAILABLE, /discovery has not answered/));
    } finally {
      await closeClient(empty);
      await closeClient(waiting);
    }
  });

  test(`[${transport}] a half-open probe that ends without an answer (caller deadline, cancelled) does not close the circuit`, async () => {
    const hung = await startEchoServer({ delayMs: 3_000 });
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), {
      endpoints: [hung.address],
      perTryTimeout: 100,
      timeout: 5_000,
      retry: { maxAttempts: 1 },
      circuitBreaker: { threshold: 2, halfOpenAfterMs: 150 },
    });
    const usable = () => clientEndpoints(client)[0]!.usable;
    try {
      for (let i = 0; i < 2; i++) await assert.rejects(client.echo({ text: 'slow' }), isCode(Code.DEADLINE_EXCEEDED));
      assert.equal(usable(), false, 'two per-try timeouts opened it');
      await waitUntil(usable, 2_000, 'the half-open probe to be allowed');
      await assert.rejects(client.echo({ text: 'probe' }, { timeout: 30 }), isCode(Code.DEADLINE_EXCEEDED));
      assert.equal(usable(), false, "a probe cut short by the caller's deadline proves nothing: open again");
      await waitUntil(usable, 2_000, 'the next probe to be allowed');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 30);
      await assert.rejects(client.echo({ text: 'probe' }, { signal: controller.signal }), isCode(Code.CANCELLED));
      assert.equal(usable(), false, 'a cancelled probe proves nothing either');
    } finally {
      await closeClient(client);
      await hung.stop();
    }
  });
}
