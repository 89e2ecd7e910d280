// The lean client sends the values that are new on every call (request id,
// traceparent, grpc-timeout) as never-indexed HPACK literals, and the rest as
// usual: indexing a value nobody repeats only churns both peers' tables.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Http2ClientTransport } from '../../../src/client/http2/index.js';

const LIMITS = { maxReceiveMessageBytes: 1 << 20, maxSendMessageBytes: 1 << 20, keepalive: { timeMs: 0, timeoutMs: 20_000, permitWithoutCalls: false } };

let server: http2.Http2Server;
let received: http2.IncomingHttpHeaders | undefined;
before(async () => {
  server = http2.createServer();
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    received = headers;
    stream.on('data', () => undefined);
    stream.on('end', () => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('request id, traceparent and grpc-timeout go out never-indexed; other metadata is indexed as usual', async () => {
  const transport = new Http2ClientTransport(`127.0.0.1:${(server.address() as AddressInfo).port}`, { limits: LIMITS });
  try {
    await transport.unary('/test.v1.EchoService/Echo', new Uint8Array(), {
      metadata: { 'x-request-id': 'r-1', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'x-tenant': 'acme' },
      deadline: Date.now() + 5_000,
      signal: undefined,
    });
  } finally {
    transport.close();
  }
  assert.equal(received?.['x-tenant'], 'acme');
  const neverIndexed = (received as Record<symbol, unknown>)[http2.sensitiveHeaders] as string[];
  assert.deepEqual([...neverIndexed].sort(), ['grpc-timeout', 'traceparent', 'x-request-id']);
});
