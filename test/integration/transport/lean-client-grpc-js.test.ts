// Issue 12: the lean client transport (node:http2) against a bare @grpc/grpc-js
// server: the four RPC kinds, metadata, deadlines, cancellation, every status
// code with a non-ASCII message and details, a 16 MB message, gzip both ways,
// a session pool past max_concurrent_streams (calls queue beyond it), a connection cut mid-stream, and
// the never-sent rule (connection refused).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Http2ClientTransport } from '../../../src/client/http2/index.js';
import type { TransportCallOptions } from '../../../src/client/transport.js';
import { NotSentError, RefusedStreamError } from '../../../src/resilience/failure.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import { waitUntil } from '../../helpers/wait.js';
import { NON_ASCII_MESSAGE, decode, encode, startBareServer, type BareServer } from './bare-grpc-server.js';
import { startTcpProxy } from './tcp-proxy.js';

const SIXTEEN_MB = 16 * 1024 * 1024;
const PATH = (name: string): string => `/test.v1.EchoService/${name}`;
const call = (extra: Partial<TransportCallOptions> = {}): TransportCallOptions => ({ metadata: {}, deadline: Date.now() + 5_000, signal: undefined, ...extra });
const LIMITS = { maxReceiveMessageBytes: 2 * SIXTEEN_MB, maxSendMessageBytes: 2 * SIXTEEN_MB, keepalive: { timeMs: 0, timeoutMs: 20_000, permitWithoutCalls: false } };

let bare: BareServer;
let transport: Http2ClientTransport;
before(async () => {
  bare = await startBareServer('bare-1', {
    'grpc.max_concurrent_streams': 2,
    'grpc.max_receive_message_length': 2 * SIXTEEN_MB,
    'grpc.max_send_message_length': 2 * SIXTEEN_MB,
  });
  transport = new Http2ClientTransport(bare.address, { limits: LIMITS });
});
after(async () => {
  transport.close();
  await bare.close();
});

async function* from<T>(items: readonly T[]): AsyncIterable<T> {
  for (const item of items) yield item;
}
const texts = async (stream: AsyncIterable<Uint8Array>): Promise<string[]> => {
  const result: string[] = [];
  for await (const message of stream) result.push(decode(message).text);
  return result;
};

test('unary with ASCII and binary metadata: headers and trailers come back as text, -bin as base64', async () => {
  const blob = Buffer.from([0, 1, 2, 255]).toString('base64');
  let header: Readonly<Record<string, string>> | undefined;
  let trailer: Readonly<Record<string, string>> | undefined;
  const response = await transport.unary(PATH('Echo'), encode({ text: 'meta' }), call({
    metadata: { 'x-tenant': 'acme', 'x-blob-bin': blob },
    onHeader: (value) => (header = value),
    onTrailer: (value) => (trailer = value),
  }));
  assert.deepEqual(decode(response), { text: 'meta', instance: 'bare-1' });
  assert.equal(header?.['x-tenant'], 'acme');
  assert.equal(Buffer.from(header!['x-blob-bin']!, 'base64').toString('base64'), blob);
  assert.equal(trailer?.['x-tenant'], 'acme');
  assert.equal(transport.state, 'ready');
});

test('server streaming, client streaming and bidi streaming', async () => {
  assert.deepEqual(await texts(transport.serverStream(PATH('CountUp'), encode({ text: '5' }), call())), ['0', '1', '2', '3', '4']);
  const collected = await transport.clientStream(PATH('Collect'), from(['a', 'b', 'c'].map((text) => encode({ text }))), call());
  assert.equal(decode(collected).text, 'a,b,c');
  assert.deepEqual(await texts(transport.bidiStream(PATH('Chat'), from(['x', 'y'].map((text) => encode({ text }))), call())), ['echo:x', 'echo:y']);
});

test('a server stream read slowly pauses the server (backpressure) and still delivers every message in order', async () => {
  const received: string[] = [];
  for await (const message of transport.serverStream(PATH('CountUp'), encode({ text: '300' }), call())) {
    received.push(decode(message).text);
    if (received.length % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(received.length, 300);
  assert.equal(received.at(-1), '299');
});

test('deadline exceeded: DEADLINE_EXCEEDED here, and the server sees the call end (grpc-timeout sent)', async () => {
  const cancelledBefore = bare.cancelled;
  const started = Date.now();
  await assert.rejects(transport.unary(PATH('Echo'), encode({ text: 'slow', delayMs: 3_000 }), call({ deadline: Date.now() + 150 })), (error: TuskError) => error.code === Code.DEADLINE_EXCEEDED);
  assert.ok(Date.now() - started < 2_000);
  await waitUntil(() => bare.cancelled > cancelledBefore, 3_000, 'the server to see the call cancelled');
});

test('cancellation mid-stream: CANCELLED here, RST_STREAM stops the server', async () => {
  const controller = new AbortController();
  const cancelledBefore = bare.cancelled;
  const received: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const message of transport.serverStream(PATH('CountUp'), encode({ text: '1000', delayMs: 10 }), call({ signal: controller.signal }))) {
        received.push(decode(message).text);
        if (received.length === 2) controller.abort();
      }
    })(),
    (error: TuskError) => error.code === Code.CANCELLED,
  );
  assert.equal(received.length, 2);
  await waitUntil(() => bare.cancelled > cancelledBefore, 3_000, 'the server to see the call cancelled');
});

test('every status code arrives with its non-ASCII message and details (trailers-only errors)', async () => {
  for (let code = 1; code <= 16; code++) {
    await assert.rejects(transport.unary(PATH('Echo'), encode({ text: `status:${code}` }), call()), (error: TuskError) => {
      assert.ok(error instanceof TuskError);
      assert.equal(error.code, code);
      assert.equal(error.message, NON_ASCII_MESSAGE);
      assert.equal(error.details?.errorInfo?.reason, 'ON_PURPOSE');
      assert.ok(!(error instanceof NotSentError));
      return true;
    });
  }
  // An error after messages on a stream: status in the trailers, after what was sent.
  const received: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const message of transport.serverStream(PATH('CountUp'), encode({ text: '2', fail: 9 }), call())) received.push(decode(message).text);
    })(),
    (error: TuskError) => error.code === Code.FAILED_PRECONDITION && error.message === NON_ASCII_MESSAGE,
  );
  assert.deepEqual(received, ['0', '1']);
});

test('a 16 MB message each way (flow control), and max message sizes refused', async () => {
  const big = 'y'.repeat(SIXTEEN_MB);
  const echoed = await transport.unary(PATH('Echo'), encode({ text: `size:${big}` }), call({ deadline: Date.now() + 15_000 }));
  assert.equal(decode(echoed).text, String(`size:${big}`.length));
  const response = await transport.unary(PATH('Echo'), encode({ text: `big:${SIXTEEN_MB}` }), call({ deadline: Date.now() + 15_000 }));
  assert.equal(decode(response).text.length, SIXTEEN_MB);

  const small = new Http2ClientTransport(bare.address, { limits: { ...LIMITS, maxReceiveMessageBytes: 1024, maxSendMessageBytes: 1024 } });
  try {
    await assert.rejects(small.unary(PATH('Echo'), encode({ text: 'z'.repeat(2048) }), call()), (error: TuskError) => error.code === Code.RESOURCE_EXHAUSTED);
    await assert.rejects(small.unary(PATH('Echo'), encode({ text: 'big:4096' }), call()), (error: TuskError) => error.code === Code.RESOURCE_EXHAUSTED);
  } finally {
    small.close();
  }
});

test('gzip: a compressed request is read by grpc-js (which never compresses responses: the lean server test covers those)', async () => {
  const gzip = new Http2ClientTransport(bare.address, { sendEncoding: 'gzip' });
  try {
    const response = await gzip.unary(PATH('Echo'), encode({ text: 'squeeze '.repeat(1000) }), call());
    assert.equal(decode(response).text, 'squeeze '.repeat(1000));
    const collected = await gzip.clientStream(PATH('Collect'), from(['a', 'b'].map((text) => encode({ text }))), call());
    assert.equal(decode(collected).text, 'a,b');
  } finally {
    gzip.close();
  }
});

test('max concurrent streams reached: more sessions open (up to 4), no connection runs more than its limit, the rest queue, none fails', async () => {
  const pooled = new Http2ClientTransport(bare.address, { limits: LIMITS });
  try {
    await pooled.unary(PATH('Echo'), encode({ text: 'warm' }), call()); // the server's SETTINGS (its limit) have arrived
    bare.maxInFlight = 0;
    bare.maxInFlightOnOneConnection = 0;
    bare.connections.clear();
    const calls = Array.from({ length: 12 }, (_, i) => pooled.unary(PATH('Echo'), encode({ text: `q${i}`, delayMs: 80 }), call()));
    const responses = await Promise.all(calls);
    assert.deepEqual(responses.map((response) => decode(response).text), Array.from({ length: 12 }, (_, i) => `q${i}`));
    assert.ok(bare.maxInFlightOnOneConnection <= 2, `one connection ran ${bare.maxInFlightOnOneConnection} at once`);
    assert.ok(bare.connections.size > 1 && bare.connections.size <= 4, `${bare.connections.size} connections`);
    assert.ok(bare.maxInFlight > 2 && bare.maxInFlight <= 8, `server ran ${bare.maxInFlight} at once`);
  } finally {
    pooled.close();
  }
});

test('a connection cut mid-stream ends the call UNAVAILABLE (may have been processed: not a NotSentError); the next call reconnects', async () => {
  const proxy = await startTcpProxy(bare.address);
  const cut = new Http2ClientTransport(proxy.address);
  try {
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const message of cut.serverStream(PATH('CountUp'), encode({ text: '1000', delayMs: 10 }), call())) {
          received.push(decode(message).text);
          if (received.length === 2) proxy.cut();
        }
      })(),
      (error: TuskError) => error.code === Code.UNAVAILABLE && !(error instanceof NotSentError),
    );
    const again = await cut.unary(PATH('Echo'), encode({ text: 'back' }), call());
    assert.equal(decode(again).text, 'back');
  } finally {
    cut.close();
    await proxy.close();
  }
});

test('connection refused: a NotSentError UNAVAILABLE, at once after that until the backoff passes, and a probe connects', async () => {
  const gone = await startBareServer('gone');
  const address = gone.address;
  await gone.close();
  const refused = new Http2ClientTransport(address);
  try {
    await assert.rejects(refused.unary(PATH('Echo'), encode({ text: 'x' }), call()), (error: TuskError) => error instanceof NotSentError && error.code === Code.UNAVAILABLE);
    assert.equal(refused.state, 'failed');
    await assert.rejects(refused.unary(PATH('Echo'), encode({ text: 'x' }), call()), (error: TuskError) => error instanceof NotSentError);
    const back = await startBareServer('back', {}, Number(address.split(':')[1]));
    try {
      const response = await refused.unary(PATH('Echo'), encode({ text: 'probe' }), call({ probe: true }));
      assert.equal(decode(response).instance, 'back');
    } finally {
      await back.close();
    }
  } finally {
    refused.close();
  }
});

test('GOAWAY naming a lower last-stream-id: the streams above it are RefusedStreamErrors (never sent), the one below completes', async () => {
  const http2 = await import('node:http2');
  const { encodeFrame } = await import('../../../src/wire/index.js');
  const raw = http2.createServer();
  const held: import('node:http2').ServerHttp2Stream[] = [];
  const sessions: import('node:http2').ServerHttp2Session[] = [];
  raw.on('session', (session) => sessions.push(session));
  raw.on('stream', (stream: import('node:http2').ServerHttp2Stream) => {
    stream.on('error', () => undefined);
    held.push(stream);
    if (held.length < 3) return;
    // Three calls arrived: take only the first, refuse the rest with GOAWAY(last-stream-id = the first's).
    stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, held[0]!.id!);
    const first = held[0]!;
    first.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    first.on('wantTrailers', () => first.sendTrailers({ 'grpc-status': '0' }));
    first.end(encodeFrame(encode({ text: 'first', instance: 'raw' }), false));
  });
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(raw.address() as import('node:net').AddressInfo).port}`;
  const goaway = new Http2ClientTransport(address);
  try {
    const outcomes = await Promise.allSettled([0, 1, 2].map((i) => goaway.unary(PATH('Create'), encode({ text: `g${i}` }), call())));
    assert.equal(outcomes[0]!.status, 'fulfilled');
    for (const outcome of outcomes.slice(1)) {
      assert.equal(outcome.status, 'rejected');
      const reason = (outcome as PromiseRejectedResult).reason as TuskError;
      assert.ok(reason instanceof RefusedStreamError, `${reason.constructor.name}: ${reason.message}`);
      assert.equal(reason.code, Code.UNAVAILABLE);
    }
  } finally {
    goaway.close();
    for (const session of sessions) session.destroy();
    await new Promise((resolve) => raw.close(resolve));
  }
});
