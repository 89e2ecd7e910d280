// Issue 12: a bare @grpc/grpc-js client against TuskServer on the lean
// node:http2 transport: the four RPC kinds, metadata, deadlines, cancellation,
// every status code with a non-ASCII message and details, a 16 MB message,
// gzip both ways, and calls queueing at max_concurrent_streams.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { Status } from '../../../src/status/google/rpc/status.js';
import { rawEchoClient, unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';
import { NON_ASCII_MESSAGE, startLeanServer, type LeanServerFixture } from './lean-server-fixture.js';

const SIXTEEN_MB = 16 * 1024 * 1024;
let lean: LeanServerFixture;
before(async () => {
  lean = await startLeanServer({ max_receive_message_bytes: 2 * SIXTEEN_MB, max_send_message_bytes: 2 * SIXTEEN_MB, max_concurrent_streams: 2 });
});
after(() => lean.close());

test('the server runs on the lean transport', () => {
  assert.equal((lean.server as unknown as { transport: { name: string } }).transport.name, 'http2');
});

const collect = <T>(stream: NodeJS.ReadableStream): Promise<T[]> =>
  new Promise((resolve, reject) => {
    const items: T[] = [];
    stream.on('data', (item: T) => items.push(item));
    stream.on('end', () => resolve(items));
    stream.on('error', reject);
  });

test('unary with ASCII and binary metadata: the handler sees both, the caller gets the request id back', async () => {
  const metadata = new grpc.Metadata();
  metadata.set('x-tenant', 'acme');
  metadata.set('x-blob-bin', Buffer.from([0, 1, 2, 255]));
  const { response, headers } = await unary(lean.client, 'echo', { text: 'hello' }, { metadata });
  assert.deepEqual(response, { text: 'hello', instance: 'lean-1' });
  const ctx = lean.service.calls.at(-1)!.ctx;
  assert.equal(ctx.metadata['x-tenant'], 'acme');
  assert.equal(ctx.metadata['x-blob-bin'], Buffer.from([0, 1, 2, 255]).toString('base64'));
  assert.equal(headers.get('x-request-id')[0], ctx.requestId);
});

test('server streaming, client streaming and bidi streaming', async () => {
  const counted = await collect<{ text: string }>(lean.client.countUp({ text: '5' }));
  assert.deepEqual(counted.map(({ text }) => text), ['0', '1', '2', '3', '4']);

  const collected = await new Promise<{ text: string }>((resolve, reject) => {
    const call = lean.client.collect((error: grpc.ServiceError | null, response: { text: string }) => (error ? reject(error) : resolve(response)));
    for (const text of ['a', 'b', 'c']) call.write({ text });
    call.end();
  });
  assert.equal(collected.text, 'a,b,c');

  const chat = lean.client.chat();
  const replies = collect<{ text: string }>(chat);
  for (const text of ['x', 'y']) chat.write({ text });
  chat.end();
  assert.deepEqual((await replies).map(({ text }) => text), ['echo:x', 'echo:y']);
});

test('a deadline that passes while the handler runs: DEADLINE_EXCEEDED, and the handler is aborted', async () => {
  const error = await unary(lean.client, 'echo', { text: 'wait-abort' }, { deadline: Date.now() + 150 }).then(() => assert.fail('should fail'), (e: grpc.ServiceError) => e);
  assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
  await waitUntil(() => lean.service.calls.at(-1)?.abortedWith !== undefined, 2_000, 'the handler aborted');
});

test('cancelling a server stream mid-way (RST_STREAM) aborts the handler', async () => {
  const before = lean.service.calls.length;
  const stream = lean.client.countUp({ text: 'infinite', delayMs: 5 });
  stream.on('error', () => undefined);
  await new Promise((resolve) => stream.once('data', resolve));
  stream.cancel();
  const observed = await waitUntil(() => lean.service.calls.slice(before).find((call) => call.method === 'CountUp'), 2_000, 'the CountUp call');
  await waitUntil(() => observed.abortedWith !== undefined, 2_000, 'the handler aborted by the cancel');
});

test('every status code arrives with its non-ASCII message and its google.rpc.Status details', async () => {
  for (let code = 1; code <= 16; code++) {
    const error = await unary(lean.client, 'echo', { text: `status:${code}` }).then(() => assert.fail('should fail'), (e: grpc.ServiceError) => e);
    assert.equal(error.code, code);
    // UNKNOWN, INTERNAL and DATA_LOSS are server faults: tusk hides their message (handler-errors.ts).
    if (![2, 13, 15].includes(code)) assert.equal(error.details, NON_ASCII_MESSAGE);
    const details = error.metadata.get('grpc-status-details-bin')[0];
    assert.ok(Buffer.isBuffer(details), `code ${code} carries grpc-status-details-bin`);
    assert.equal(Status.decode(details).code, code);
  }
});

test('a 16 MB request and response cross the flow-control windows intact', async () => {
  const text = 'z'.repeat(SIXTEEN_MB);
  const big = rawEchoClient(lean.address, { 'grpc.max_receive_message_length': 2 * SIXTEEN_MB, 'grpc.max_send_message_length': 2 * SIXTEEN_MB });
  try {
    const { response } = await unary<{ text: string }>(big, 'echo', { text });
    assert.equal(response.text.length, SIXTEEN_MB);
    assert.ok(response.text === text);
  } finally {
    big.close();
  }
});

test('a gzip-compressed request is read, and answered', async () => {
  const gzipClient = rawEchoClient(lean.address, { 'grpc.default_compression_algorithm': grpc.compressionAlgorithms.gzip });
  try {
    const { response } = await unary<{ text: string }>(gzipClient, 'echo', { text: 'squeezed '.repeat(100) });
    assert.equal(response.text, 'squeezed '.repeat(100));
  } finally {
    gzipClient.close();
  }
});

test('past max_concurrent_streams (2) calls queue on the connection and all succeed', async () => {
  lean.service.maxInFlight = 0;
  const results = await Promise.all(Array.from({ length: 6 }, (_, index) => unary<{ text: string }>(lean.client, 'echo', { text: `q${index}`, delayMs: 60 })));
  assert.deepEqual(results.map(({ response }) => response.text), ['q0', 'q1', 'q2', 'q3', 'q4', 'q5']);
  assert.ok(lean.service.maxInFlight <= 2, `at most 2 at once, saw ${lean.service.maxInFlight}`);
});
