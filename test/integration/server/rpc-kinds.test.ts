import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { EchoRequest, EchoResponse } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { onServerTransport, TRANSPORTS } from '../../helpers/transports.js';

for (const transport of TRANSPORTS) {
  let fixture: EchoServerFixture;
  before(async () => {
    fixture = await startEchoServer({}, onServerTransport(transport));
  });
  after(async () => {
    await fixture.close();
  });

  test(`[${transport}] unary: the handler gets the request and a context; the caller gets the response`, async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-tenant', 'acme');
    metadata.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    const deadline = Date.now() + 5_000;
    const { response, headers } = await unary(fixture.client, 'echo', { text: 'hello' }, { metadata, deadline });
    assert.deepEqual(response, { text: 'hello', instance: 'echo-1' });

    const call = fixture.service.calls.at(-1)!;
    assert.equal(call.ctx.service, 'test.v1.EchoService');
    assert.equal(call.ctx.method, 'Echo');
    assert.equal(call.ctx.metadata['x-tenant'], 'acme');
    assert.ok(call.ctx.deadline !== undefined && Math.abs(call.ctx.deadline - deadline) < 1_000, `deadline ${call.ctx.deadline} vs ${deadline}`);
    assert.match(call.ctx.peer, /127\.0\.0\.1/);
    assert.equal(call.ctx.trace.traceId, '0af7651916cd43dd8448eb211c80319c');
    // The server's own span (the default trace hook's), a child of the caller's.
    assert.match(call.ctx.trace.spanId ?? '', /^[0-9a-f]{16}$/);
    assert.notEqual(call.ctx.trace.spanId, 'b7ad6b7169203331');
    // A request id is created when the caller sent none, and echoed back.
    assert.match(call.ctx.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(headers.get('x-request-id')[0], call.ctx.requestId);
    assert.equal(call.ctx.signal.aborted, false, 'a finished call is not aborted while the handler runs');
  });

  test(`[${transport}] unary: a caller-supplied x-request-id is kept and echoed`, async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'req-42');
    const { headers } = await unary(fixture.client, 'create', { text: 'x' }, { metadata });
    assert.equal(fixture.service.calls.at(-1)!.ctx.requestId, 'req-42');
    assert.equal(headers.get('x-request-id')[0], 'req-42');
    assert.equal(fixture.service.calls.at(-1)!.ctx.deadline, undefined);
  });

  test(`[${transport}] the per-call logger carries service, method and request id`, async () => {
    const metadata = new grpc.Metadata();
    metadata.set('x-request-id', 'req-log');
    await unary(fixture.client, 'echo', { text: 'log me' }, { metadata });
    fixture.service.calls.at(-1)!.ctx.logger.info({ extra: 1 }, 'from the handler');
    const line = fixture.logs.find((entry) => entry.msg === 'from the handler');
    assert.ok(line);
    assert.equal(line.service, 'test.v1.EchoService');
    assert.equal(line.method, 'Echo');
    assert.equal(line.request_id, 'req-log');
    assert.equal(line.extra, 1);
  });

  test(`[${transport}] server streaming: every item in order, then OK`, async () => {
    const stream = fixture.client.countUp({ text: '25' });
    const texts: string[] = [];
    for await (const item of stream as AsyncIterable<EchoResponse>) texts.push(item.text);
    assert.deepEqual(texts, Array.from({ length: 25 }, (_, index) => String(index)));
  });

  test(`[${transport}] server streaming: an error after some items arrives as the final status`, async () => {
    const stream = fixture.client.countUp({ text: '3', fail: grpc.status.FAILED_PRECONDITION });
    const texts: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const item of stream as AsyncIterable<EchoResponse>) texts.push(item.text);
      })(),
      (error: grpc.ServiceError) => error.code === grpc.status.FAILED_PRECONDITION && error.details === 'stream failed on purpose',
    );
    assert.deepEqual(texts, ['0', '1', '2']);
  });

  test(`[${transport}] client streaming: the handler reads the requests as an async iterable`, async () => {
    const response = await new Promise<EchoResponse>((resolve, reject) => {
      const call = fixture.client.collect((error: grpc.ServiceError | null, value: EchoResponse) => (error ? reject(error) : resolve(value)));
      for (const text of ['a', 'b', 'c', 'd']) call.write({ text } satisfies EchoRequest);
      call.end();
    });
    assert.deepEqual(response, { text: 'a,b,c,d', instance: 'echo-1' });
  });

  test(`[${transport}] client streaming: zero requests is a valid stream`, async () => {
    const response = await new Promise<EchoResponse>((resolve, reject) => {
      const call = fixture.client.collect((error: grpc.ServiceError | null, value: EchoResponse) => (error ? reject(error) : resolve(value)));
      call.end();
    });
    assert.equal(response.text, '');
  });

  test(`[${transport}] bidi streaming: replies interleave with requests`, async () => {
    const call = fixture.client.chat();
    const replies = call[Symbol.asyncIterator]() as AsyncIterator<EchoResponse>;
    for (const text of ['one', 'two', 'three']) {
      call.write({ text });
      // Each reply arrives before the next request is sent: a true conversation, not a batch.
      const reply = await replies.next();
      assert.equal(reply.value.text, `echo:${text}`);
    }
    call.end();
    assert.equal((await replies.next()).done, true);
  });
}
