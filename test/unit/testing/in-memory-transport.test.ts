// createInMemoryTransport through the real client pipeline: no sockets, same codecs, context, errors and middleware.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import type { ServerMiddleware } from '../../../src/server/index.js';
import { Code, TuskError, isTuskError } from '../../../src/status/index.js';
import type { CallContext } from '../../../src/server/call-context.js';
import { decodeStatusDetails } from '../../../src/status/status-details.js';
import { createInMemoryTransport } from '../../../src/testing/index.js';
import { echoDescriptor, type EchoRequest, type EchoServiceClient } from '../../helpers/echo-service.js';
import { TestEchoService } from '../../helpers/server-echo-service.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { echoRequests, responseTexts, withEchoClient } from '../../helpers/echo-streams.js';



const codeIs = (code: Code) => (error: unknown) => isTuskError(error) && error.code === code;

test('all four RPC kinds reach the service instance, with a server-like context', async () => {
  const service = new TestEchoService('memory-1');
  await withEchoClient({ transport: createInMemoryTransport(service) }, async (client) => {
    const before = Date.now();
    assert.deepEqual(await client.echo({ text: 'hi' }, { timeout: 5_000, metadata: { 'x-tenant': 'acme' } }), { text: 'hi', instance: 'memory-1' });
    assert.deepEqual(await responseTexts(client.countUp({ text: '3' })), ['0', '1', '2']);
    assert.equal((await client.collect(echoRequests('a', 'b'))).text, 'a,b');
    assert.deepEqual(await responseTexts(client.chat(echoRequests('x', 'y'))), ['echo:x', 'echo:y']);
    const { ctx } = service.calls[0]!;
    assert.equal(ctx.service, 'test.v1.EchoService');
    assert.equal(ctx.method, 'Echo');
    assert.equal(ctx.peer, 'in-memory');
    assert.equal(ctx.metadata['x-tenant'], 'acme');
    assert.match(ctx.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(ctx.metadata['x-request-id'], ctx.requestId);
    assert.ok(ctx.deadline !== undefined && ctx.deadline >= before + 5_000 && ctx.deadline <= Date.now() + 5_000);
    assert.deepEqual(service.calls.map((call) => call.method), ['Echo', 'CountUp', 'Collect', 'Chat']);
  });
});

test('errors map as on a server: TuskError with its details, other errors INTERNAL, bad bytes INVALID_ARGUMENT', async () => {
  const logs: LogLine[] = [];
  const transport = createInMemoryTransport({ logger: captureLogger(logs) }, new TestEchoService());
  await withEchoClient({ transport }, async (client) => {
    await assert.rejects(client.echo({ text: 'x', fail: Code.NOT_FOUND }), (error: unknown) => {
      assert.ok(error instanceof TuskError);
      assert.equal(error.code, Code.NOT_FOUND);
      assert.equal(error.message, 'failed on purpose');
      assert.deepEqual(error.details, { fieldViolations: [{ field: 'text', description: 'bad' }] });
      return true;
    });
    await assert.rejects(client.echo({ text: 'throw' }), (error: unknown) => codeIs(Code.INTERNAL)(error) && (error as Error).message === 'internal error');
    assert.ok(logs.some((line) => line.msg === 'handler threw an unexpected error'), 'the stack is logged, not sent');
    // The JSON codec of the service refuses a request that is not an object: the codec runs on the server side too.
    await assert.rejects(client.echo('not an object' as unknown as EchoRequest), (error: unknown) => codeIs(Code.INVALID_ARGUMENT)(error) && /malformed request/.test((error as Error).message));
    await assert.rejects(responseTexts(client.countUp({ text: '2', fail: Code.ABORTED })), codeIs(Code.ABORTED));
  });
  await assert.rejects(transport.unary('/test.v1.Nothing/Here', new Uint8Array(), { metadata: {}, deadline: undefined, signal: undefined }), codeIs(Code.UNIMPLEMENTED));
});

test('the deadline and the caller signal end the call at once and abort the handler', async () => {
  const service = new TestEchoService();
  await withEchoClient({ transport: createInMemoryTransport(service) }, async (client) => {
    const started = Date.now();
    await assert.rejects(client.echo({ text: 'wait-abort' }, { timeout: 100 }), codeIs(Code.DEADLINE_EXCEEDED));
    assert.ok(Date.now() - started < 2_000, 'settled soon after the deadline');
    await waitUntil(() => service.calls[0]?.abortedWith, 2_000, 'the handler to see the deadline');
    assert.equal(service.calls[0]!.abortedWith, 'deadline exceeded');

    const controller = new AbortController();
    const pending = client.collect(echoRequests('wait-abort'), { signal: controller.signal });
    await waitUntil(() => service.calls[1]?.waitingForAbort, 2_000, 'the handler to wait');
    controller.abort();
    await assert.rejects(pending, codeIs(Code.CANCELLED));
    await waitUntil(() => service.calls[1]?.abortedWith, 2_000, 'the handler to see the cancel');
    assert.equal(service.calls[1]!.abortedWith, 'call cancelled by the client');

    // Past what one timer can hold (2^31 - 1 ms): not "already passed".
    assert.equal((await client.echo({ text: 'far', delayMs: 20 }, { timeout: 2 ** 32 })).text, 'far');

    // A response stream that outlives its deadline fails in the middle, and its handler is stopped.
    await assert.rejects(responseTexts(client.countUp({ text: 'infinite', delayMs: 10 }, { timeout: 200 })), codeIs(Code.DEADLINE_EXCEEDED));
    await waitUntil(() => service.calls[3]?.abortedWith, 2_000, 'the stream handler to see the deadline');
    assert.equal(service.calls[3]!.abortedWith, 'deadline exceeded');
  });
});

test('streams keep backpressure both ways, and a caller that stops reading cancels the handler', async () => {
  const service = new TestEchoService();
  await withEchoClient({ transport: createInMemoryTransport(service) }, async (client) => {
    let received = 0;
    for await (const _ of client.countUp({ text: 'infinite' })) {
      received += 1;
      if (received === 3) break;
    }
    await waitUntil(() => service.calls[0]?.abortedWith, 2_000, 'the server stream handler to be cancelled');
    assert.ok(service.pulled <= received + 1, `the handler produced ${service.pulled} for ${received} read`);

    let produced = 0;
    let requestsClosed = false;
    async function* endless(): AsyncIterable<EchoRequest> {
      try {
        for (;;) yield { text: String(produced++) };
      } finally {
        requestsClosed = true;
      }
    }
    let replies = 0;
    for await (const _ of client.chat(endless())) {
      replies += 1;
      if (replies === 3) break;
    }
    await waitUntil(() => requestsClosed, 2_000, "the caller's request stream to be closed");
    assert.ok(produced <= replies + 2, `${produced} requests pulled for ${replies} replies`);
  });
});

test('server middleware runs in memory as on a server', async () => {
  const seen: string[] = [];
  const tenantOnly: ServerMiddleware = (next) => async (request) => {
    seen.push(request.ctx.method);
    if (request.ctx.metadata['x-tenant'] !== 'acme') throw new TuskError(Code.PERMISSION_DENIED, 'tenant required');
    return next(request);
  };
  const service = new TestEchoService();
  await withEchoClient({ transport: createInMemoryTransport({ middleware: [tenantOnly] }, service) }, async (client) => {
    await assert.rejects(client.echo({ text: 'hi' }), codeIs(Code.PERMISSION_DENIED));
    assert.equal(service.calls.length, 0);
    const tenant = { metadata: { 'x-tenant': 'acme' } };
    assert.equal((await client.echo({ text: 'hi' }, tenant)).text, 'hi');
    assert.deepEqual(await responseTexts(client.chat(echoRequests('x'), tenant)), ['echo:x']);
    assert.deepEqual(seen, ['Echo', 'Echo', 'Chat']);
  });
});

test('clients borrow a given transport; a factory makes the transports of discovered addresses', async () => {
  const service = new TestEchoService();
  const shared = createInMemoryTransport(service);
  const first = createClient<EchoServiceClient>(echoDescriptor(), { transport: shared });
  const second = createClient<EchoServiceClient>(echoDescriptor(), { transport: shared });
  await first.echo({ text: 'one' });
  await closeClient(first);
  assert.equal((await second.echo({ text: 'two' })).text, 'two', 'closing one client leaves the shared transport open');
  await closeClient(second);
  assert.throws(() => createClient(echoDescriptor(), { transport: shared, endpoints: ['127.0.0.1:1'] }), /either a transport or endpoints/);

  const made: string[] = [];
  const transports: ReturnType<typeof createInMemoryTransport>[] = [];
  const viaFactory = createClient<EchoServiceClient>(echoDescriptor(), {
    endpoints: ['10.0.0.1:50051', '10.0.0.2:50051'],
    transport: (address) => {
      made.push(address);
      const transport = createInMemoryTransport({ address }, new TestEchoService(address));
      transports.push(transport);
      return transport;
    },
  });
  const answeredBy = new Set<string>();
  for (let i = 0; i < 8; i += 1) answeredBy.add((await viaFactory.echo({ text: 'x' })).instance);
  assert.deepEqual(made.sort(), ['10.0.0.1:50051', '10.0.0.2:50051']);
  assert.deepEqual([...answeredBy].sort(), ['10.0.0.1:50051', '10.0.0.2:50051']);
  await closeClient(viaFactory);
  // The client owned what its factory made: closed with it.
  await assert.rejects(transports[0]!.unary('/test.v1.EchoService/Echo', new Uint8Array(), { metadata: {}, deadline: undefined, signal: undefined }), codeIs(Code.UNAVAILABLE));
});

test('client interceptors run in front of an in-memory transport too', async () => {
  const service = new TestEchoService();
  await withEchoClient(
    {
      transport: createInMemoryTransport(service),
      interceptors: [
        (next) => (request) => {
          request.header['x-from-interceptor'] = 'yes';
          return next(request);
        },
      ],
    },
    async (client) => {
      await client.echo({ text: 'hi' });
      assert.equal(service.calls[0]!.ctx.metadata['x-from-interceptor'], 'yes');
    },
  );
});

test('header and trailer callbacks hear of the call: the google.rpc.Status details trailer as on the wire', async () => {
  await withEchoClient({ transport: createInMemoryTransport(new TestEchoService()) }, async (client) => {
    const headers: object[] = [];
    const trailers: Array<Readonly<Record<string, string>>> = [];
    const options = { onHeader: (header: object) => headers.push(header), onTrailer: (trailer: Readonly<Record<string, string>>) => trailers.push(trailer) };
    await client.echo({ text: 'ok' }, options);
    assert.equal(headers.length, 1);
    assert.equal(trailers.length, 1);
    await assert.rejects(client.echo({ text: 'x', fail: Code.NOT_FOUND }, options), codeIs(Code.NOT_FOUND));
    assert.equal(trailers.length, 2);
    const details = trailers[1]!['grpc-status-details-bin'];
    assert.ok(details !== undefined);
    assert.deepEqual(decodeStatusDetails(Buffer.from(details, 'base64'))?.details, { fieldViolations: [{ field: 'text', description: 'bad' }] });
  });
});

test("a handler's ctx.header and ctx.trailer reach the caller's callbacks, on success and on failure", async () => {
  class HeaderEcho extends TestEchoService {
    override async echo(request: EchoRequest, ctx: CallContext) {
      ctx.header.set('x-served', 'memory');
      ctx.trailer.set('x-done', request.text);
      return super.echo(request, ctx);
    }
  }
  await withEchoClient({ transport: createInMemoryTransport(new HeaderEcho()) }, async (client) => {
    const headers: Array<Readonly<Record<string, string>>> = [];
    const trailers: Array<Readonly<Record<string, string>>> = [];
    const options = { onHeader: (header: Readonly<Record<string, string>>) => headers.push(header), onTrailer: (trailer: Readonly<Record<string, string>>) => trailers.push(trailer) };
    await client.echo({ text: 'ok' }, options);
    assert.equal(headers[0]?.['x-served'], 'memory');
    assert.equal(trailers[0]?.['x-done'], 'ok');
    await assert.rejects(client.echo({ text: 'bad', fail: Code.NOT_FOUND }, options), codeIs(Code.NOT_FOUND));
    assert.equal(trailers[1]?.['x-done'], 'bad');
    assert.ok(trailers[1]?.['grpc-status-details-bin'] !== undefined);
  });
});

test('a stream its consumer abandoned after one message gives its bulkhead slot back once its deadline ended it', async () => {
  await withEchoClient({ transport: createInMemoryTransport(new TestEchoService()), bulkhead: { maxConcurrent: 1, queue: 0 } }, async (client) => {
    const abandoned = client.countUp({ text: '1000' }, { timeout: 200 })[Symbol.asyncIterator]();
    assert.equal((await abandoned.next()).done, false);
    await waitUntil(
      () => client.echo({ text: 'slot back' }).then(
        (reply) => reply.text === 'slot back',
        () => false,
      ),
      5_000,
      'the abandoned stream to give its slot back',
    );
  });
});
