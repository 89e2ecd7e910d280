// test: runs alone (its stop()-under-load case counts calls against the machine's pace; see test/helpers/run-alone.ts)
// Issue 12: the lean transport against raw HTTP/2 peers and under a drain.
// Malformed frames (a bad flag byte in the length prefix, a message cut short,
// a huge declared length) end that call with INTERNAL or RESOURCE_EXHAUSTED and
// the server serves on; errors before any message come trailers-only; gzip
// requests get gzip responses; health answers; stop() sends GOAWAY mid-load and
// every call the server took finishes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { grpcFrame } from '../../helpers/server-h2-client.js';
import { unary } from '../../helpers/server-raw-client.js';
import { checkHealth, healthClient } from '../server/health-client.js';
import { startLeanServer, type LeanServerFixture } from './lean-server-fixture.js';

let lean: LeanServerFixture;
let session: http2.ClientHttp2Session;
before(async () => {
  lean = await startLeanServer({ max_receive_message_bytes: 1024 });
  session = http2.connect(`http://${lean.address}`);
  session.on('error', () => undefined);
});
after(async () => {
  session.close();
  await lean.close();
});

interface RawResult {
  readonly headers: http2.IncomingHttpHeaders;
  readonly trailers: http2.IncomingHttpHeaders | undefined;
  readonly body: Buffer;
}

/** One Echo call whose request body is `body` as given; resolves once the response ended. */
function rawEcho(body: Buffer, extra: http2.OutgoingHttpHeaders = {}): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/test.v1.EchoService/Echo', 'content-type': 'application/grpc', te: 'trailers', ...extra });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (headers = received));
    stream.on('trailers', (received) => (trailers = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('close', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    stream.end(body);
  });
}

const statusOf = (result: RawResult) => Number((result.trailers ?? result.headers)['grpc-status']);
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

test('malformed frames end the call with INTERNAL or RESOURCE_EXHAUSTED; the server serves on', async () => {
  const badFlag = grpcFrame(json({ text: 'x' }));
  badFlag[0] = 7;
  assert.equal(statusOf(await rawEcho(badFlag)), grpc.status.INTERNAL);

  const truncated = grpcFrame(json({ text: 'a longer message' })).subarray(0, 12);
  assert.equal(statusOf(await rawEcho(truncated)), grpc.status.INTERNAL);

  const huge = Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
  const refused = await rawEcho(huge);
  assert.equal(statusOf(refused), grpc.status.RESOURCE_EXHAUSTED);

  const fine = await rawEcho(grpcFrame(json({ text: 'still here' })));
  assert.equal(statusOf(fine), grpc.status.OK);
  assert.deepEqual(JSON.parse(fine.body.subarray(5).toString()), { text: 'still here', instance: 'lean-1' });
});

test('responses carry the gRPC response headers only: no HTTP date, which gRPC peers never read, and no grpc-message for OK', async () => {
  const answered = await rawEcho(grpcFrame(json({ text: 'headers' })));
  assert.deepEqual(Object.keys(answered.headers).sort(), [':status', 'content-type', 'grpc-accept-encoding', 'x-request-id']);
  assert.deepEqual(Object.keys(answered.trailers ?? {}).sort(), ['grpc-status']);
  const trailersOnly = await rawEcho(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]));
  assert.equal(trailersOnly.headers.date, undefined);
  assert.equal(statusOf(trailersOnly), grpc.status.RESOURCE_EXHAUSTED);
});

/** The headers node:http2 says arrived as never-indexed literals. */
const neverIndexed = (headers: http2.IncomingHttpHeaders) => (headers as Record<symbol, unknown>)[http2.sensitiveHeaders];

test('the request id goes out never-indexed: a value no later header repeats must not churn the HPACK tables', async () => {
  const answered = await rawEcho(grpcFrame(json({ text: 'hpack' })));
  assert.ok(answered.headers['x-request-id']);
  assert.deepEqual(neverIndexed(answered.headers), ['x-request-id']);
  // A handler's error before any message: trailers-only, the request id with the status.
  const trailersOnly = await rawEcho(grpcFrame(json({ text: 'status:5' })));
  assert.equal(statusOf(trailersOnly), grpc.status.NOT_FOUND);
  assert.ok(trailersOnly.headers['x-request-id']);
  assert.deepEqual(neverIndexed(trailersOnly.headers), ['x-request-id']);
});

test('a message split across many DATA chunks is put back together', async () => {
  const frame = grpcFrame(json({ text: 'in pieces' }));
  const result = await new Promise<RawResult>((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/test.v1.EchoService/Echo', 'content-type': 'application/grpc', te: 'trailers' });
    const chunks: Buffer[] = [];
    let trailers: http2.IncomingHttpHeaders | undefined;
    stream.on('trailers', (received) => (trailers = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('close', () => resolve({ headers: {}, trailers, body: Buffer.concat(chunks) }));
    stream.on('error', reject);
    for (let offset = 0; offset < frame.length; offset += 3) stream.write(frame.subarray(offset, offset + 3));
    stream.end();
  });
  assert.equal(statusOf(result), grpc.status.OK);
  assert.equal(JSON.parse(result.body.subarray(5).toString()).text, 'in pieces');
});

test('an error before any message is a trailers-only response, its message percent-encoded', async () => {
  const result = await rawEcho(grpcFrame(json({ text: 'status:5' })));
  assert.equal(result.trailers, undefined);
  assert.equal(result.headers['grpc-status'], '5');
  assert.match(String(result.headers['grpc-message']), /^%C3%A9chec/);
  assert.ok(result.headers['grpc-status-details-bin']);
  assert.ok(result.headers['x-request-id']);
});

test('a gzip request (compressed flag 1) gets a gzip response', async () => {
  const compressed = grpcFrame(gzipSync(json({ text: 'zipped' })));
  compressed[0] = 1;
  const result = await rawEcho(compressed, { 'grpc-encoding': 'gzip', 'grpc-accept-encoding': 'gzip' });
  assert.equal(statusOf(result), grpc.status.OK);
  assert.equal(result.headers['grpc-encoding'], 'gzip');
  assert.equal(result.body[0], 1);
  assert.equal(JSON.parse(gunzipSync(result.body.subarray(5)).toString()).text, 'zipped');
});

test('a grpc-timeout the server cannot read is INTERNAL; an unknown method UNIMPLEMENTED', async () => {
  assert.equal(statusOf(await rawEcho(grpcFrame(json({ text: 'x' })), { 'grpc-timeout': '12x' })), grpc.status.INTERNAL);
  const unknown = await new Promise<http2.IncomingHttpHeaders>((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': '/test.v1.EchoService/Nope', 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('response', resolve);
    stream.end();
  });
  assert.equal(unknown['grpc-status'], String(grpc.status.UNIMPLEMENTED));
});

test('grpc.health.v1 answers on the lean transport', async () => {
  const health = healthClient(lean.address);
  try {
    assert.equal(await checkHealth(health, ''), 'SERVING');
    assert.equal(await checkHealth(health, 'test.v1.EchoService'), 'SERVING');
  } finally {
    health.close();
  }
});

test('stop() mid-load: GOAWAY, and every call the server accepted finishes OK', async () => {
  const draining = await startLeanServer({}, { drainDelayMs: 0, shutdownGraceMs: 5_000 });
  const outcomes: (number | 'ok')[] = [];
  let stopping: Promise<void> | undefined;
  const goaways: number[] = [];
  // The client's connection sees the GOAWAY as a frame, before the socket closes.
  const probe = http2.connect(`http://${draining.address}`);
  probe.on('error', () => undefined);
  probe.on('goaway', (code) => goaways.push(code));
  await new Promise((resolve) => probe.once('connect', resolve));
  const worker = async () => {
    for (let index = 0; index < 40; index++) {
      if (index === 10) stopping ??= draining.server.stop();
      try {
        await unary(draining.client, 'echo', { text: 'load', delayMs: 20 }, { deadline: Date.now() + 3_000 });
        outcomes.push('ok');
      } catch (error) {
        outcomes.push((error as grpc.ServiceError).code);
        if (stopping) break;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  await stopping;
  draining.client.close();
  probe.close();
  const ok = outcomes.filter((outcome) => outcome === 'ok').length;
  assert.ok(ok >= 40, `the calls before the stop all succeeded (${ok})`);
  assert.equal(ok, draining.service.completed, 'every call the server started reached the caller');
  assert.deepEqual([...new Set(outcomes.filter((outcome) => outcome !== 'ok'))], [grpc.status.UNAVAILABLE]);
  assert.ok(goaways.length > 0 && goaways.every((code) => code === http2.constants.NGHTTP2_NO_ERROR), `GOAWAY NO_ERROR, got ${goaways.join()}`);
});
