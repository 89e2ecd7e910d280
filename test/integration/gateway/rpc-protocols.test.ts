// The protocols on the gRPC path of every method (Connect unary and streaming, gRPC-Web binary and text) and the
// gateway's lifecycle, through a real TuskGateway in front of real TuskServers; frames are built by hand.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitUntil } from '../../helpers/wait.js';
import { startCatalog, type CatalogFixture } from './catalog-fixture.js';
import { frame, frames } from './frames.js';
import { TuskGateway } from '../../../src/gateway/index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as connectSocket } from 'node:net';
import { once } from 'node:events';

let fixture: CatalogFixture;
before(async () => {
  fixture = await startCatalog({ shutdownGraceMs: 5000 });
});
after(async () => {
  await fixture?.close();
});

const ECHO = '/fixture.gateway.v1.CatalogService/Echo';

function connect(path: string, body: string | Uint8Array, contentType = 'application/json', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fixture.base}${path}`, { method: 'POST', body, headers: { 'content-type': contentType, 'connect-protocol-version': '1', ...headers } });
}

describe('Connect unary', () => {
  test('JSON in and out, on a method with no HTTP annotation', async () => {
    const response = await connect(ECHO, JSON.stringify({ sku: 'a', stock: '9007199254740993', color: 'COLOR_RED', tags: ['t'] }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const json = (await response.json()) as Record<string, unknown>;
    assert.equal(json.sku, 'a');
    assert.equal(json.stock, '9007199254740993');
    assert.equal(json.color, 'COLOR_RED');
    assert.deepEqual(json.tags, ['t']);
    assert.equal(fixture.seen.at(-1)!.request.stock, 9007199254740993n);
    // Connect unary: the upstream's headers as they are, its trailers as trailer-*.
    assert.match(response.headers.get('x-served-by') ?? '', /^[ab]$/);
    assert.equal(response.headers.get('trailer-x-cost'), '7');
  });

  test('binary (application/proto) in and out, read with the generated codec', async () => {
    const { Item } = fixture.messages;
    const request = Item.encode({ sku: 'bin', displayName: 'Binary', stock: 2n ** 60n, color: 2, tags: ['p', 'q'], updatedAt: new Date('2026-03-04T05:06:07Z'), dimensions: { width: 3, height: 4 }, active: true }).finish();
    const response = await connect(ECHO, request, 'application/proto');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/proto');
    const item = Item.decode(new Uint8Array(await response.arrayBuffer()));
    assert.equal(item.sku, 'bin');
    assert.equal(item.stock, 2n ** 60n);
    assert.equal(item.color, 2);
    assert.deepEqual(item.tags, ['p', 'q']);
    assert.equal(item.updatedAt.toISOString(), '2026-03-04T05:06:07.000Z');
    assert.deepEqual(item.dimensions, { width: 3, height: 4 });
    assert.equal(item.active, true);
  });

  test('an annotated method is served over Connect too', async () => {
    const response = await connect('/fixture.gateway.v1.CatalogService/GetItem', JSON.stringify({ sku: 'via-connect' }));
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { sku: string }).sku, 'via-connect');
  });

  test('a handler error is the Connect error JSON with its code, HTTP status and binary details', async () => {
    const response = await connect('/fixture.gateway.v1.CatalogService/DeleteItem', JSON.stringify({ sku: 'z', failWith: 'NOT_FOUND' }));
    assert.equal(response.status, 404);
    const body = (await response.json()) as { code: string; message: string; details: { type: string; value: string }[] };
    assert.equal(body.code, 'not_found');
    assert.equal(body.message, 'told to fail with NOT_FOUND');
    assert.equal(body.details[0]!.type, 'google.rpc.BadRequest');
    assert.doesNotMatch(body.details[0]!.value, /=$/);
    assert.match(Buffer.from(body.details[0]!.value, 'base64').toString('latin1'), /sku z is wrong/);
  });

  test('error details carry their canonical JSON as Connect\'s debug form: RetryInfo.retryDelay is "1.500s"', async () => {
    const response = await connect('/fixture.gateway.v1.CatalogService/DeleteItem', JSON.stringify({ sku: 'q', failWith: 'RESOURCE_EXHAUSTED' }));
    assert.equal(response.status, 429);
    const body = (await response.json()) as { code: string; details: { type: string; value: string; debug: unknown }[] };
    assert.equal(body.code, 'resource_exhausted');
    assert.deepEqual(body.details.map(({ type, debug }) => ({ type, debug })), [
      { type: 'google.rpc.BadRequest', debug: { fieldViolations: [{ field: 'sku', description: 'sku q is wrong' }] } },
      { type: 'google.rpc.RetryInfo', debug: { retryDelay: '1.500s' } },
    ]);
    const { RetryInfo } = await import('../../../src/status/google/rpc/error_details.js');
    assert.deepEqual(RetryInfo.decode(Buffer.from(body.details[1]!.value, 'base64')).retryDelay, { seconds: 1n, nanos: 500_000_000 }, 'value is still the binary message');
  });

  test('bad input: malformed JSON, bad binary, unknown content type, GET, unknown method', async () => {
    const before = fixture.seen.length;
    const malformed = await connect(ECHO, '{"sku": ');
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { code: string }).code, 'invalid_argument');
    assert.equal((await connect(ECHO, new Uint8Array([0x0a, 0x05, 0x61]), 'application/proto')).status, 400);
    assert.equal((await connect(ECHO, 'x', 'text/plain')).status, 415);
    assert.equal((await fetch(`${fixture.base}${ECHO}`)).status, 405);
    assert.equal(fixture.seen.length, before, 'no bad request reached a server');
    const unknown = await connect('/fixture.gateway.v1.CatalogService/Nope', '{}');
    assert.equal(unknown.status, 404);
  });
});

/** Splits a framed body (5-byte prefix: flags, big-endian length) into its frames. */

function trailers(data: Buffer): Record<string, string> {
  return Object.fromEntries(data.toString('latin1').split('\r\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]));
}

describe('gRPC-Web', () => {
  const grpcWeb = (path: string, body: Uint8Array | string, contentType = 'application/grpc-web+proto') =>
    fetch(`${fixture.base}${path}`, { method: 'POST', body, headers: { 'content-type': contentType, 'x-grpc-web': '1' } });

  test('binary unary: one message frame, then the trailer frame with grpc-status 0', async () => {
    const { Item } = fixture.messages;
    const response = await grpcWeb(ECHO, frame(0, Item.encode({ sku: 'web', displayName: '', stock: 2n ** 62n, color: 1, tags: ['w'], updatedAt: undefined, dimensions: undefined, active: true }).finish()));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/grpc-web+proto');
    const [message, trailer, ...rest] = frames(Buffer.from(await response.arrayBuffer()));
    assert.equal(rest.length, 0);
    assert.equal(message!.flags, 0);
    const item = Item.decode(message!.data);
    assert.deepEqual([item.sku, item.stock, item.color, item.tags, item.active], ['web', 2n ** 62n, 1, ['w'], true]);
    assert.equal(trailer!.flags, 0x80);
    assert.equal(trailers(trailer!.data)['grpc-status'], '0');
    assert.equal(trailers(trailer!.data)['x-cost'], '7', 'the upstream\'s trailers travel in the trailer frame');
    assert.match(response.headers.get('x-served-by') ?? '', /^[ab]$/);
  });

  test('text mode: the same frames in base64', async () => {
    const { Item } = fixture.messages;
    const body = frame(0, Item.encode({ sku: 'text', displayName: 'T', stock: 1n, color: 0, tags: [], updatedAt: undefined, dimensions: undefined, active: false }).finish()).toString('base64');
    const response = await grpcWeb(ECHO, body, 'application/grpc-web-text');
    assert.equal(response.headers.get('content-type'), 'application/grpc-web-text+proto');
    const text = await response.text();
    const decoded = Buffer.concat((text.match(/[^=]+={0,2}/g) ?? []).map((chunk) => Buffer.from(chunk, 'base64')));
    const [message, trailer] = frames(decoded);
    assert.equal(Item.decode(message!.data).displayName, 'T');
    assert.equal(trailers(trailer!.data)['grpc-status'], '0');
  });

  test('a server stream: a frame per message; an error is the trailer, with its details', async () => {
    const { Item, WatchItemsRequest } = fixture.messages;
    const stream = await grpcWeb('/fixture.gateway.v1.CatalogService/WatchItems', frame(0, WatchItemsRequest.encode({ count: 3, intervalMs: 0, failAfter: 0, failWith: '' }).finish()));
    const got = frames(Buffer.from(await stream.arrayBuffer()));
    assert.deepEqual(got.slice(0, -1).map((each) => Item.decode(each.data).sku), ['w0', 'w1', 'w2']);
    assert.equal(trailers(got.at(-1)!.data)['grpc-status'], '0');
    const failing = await grpcWeb('/fixture.gateway.v1.CatalogService/DeleteItem', frame(0, Buffer.from([0x0a, 0x01, 0x71, 0x12, 0x09, ...Buffer.from('NOT_FOUND')])));
    assert.equal(failing.status, 200);
    const [only] = frames(Buffer.from(await failing.arrayBuffer()));
    const fields = trailers(only!.data);
    assert.equal(fields['grpc-status'], '5');
    assert.equal(decodeURIComponent(fields['grpc-message']!), 'told to fail with NOT_FOUND');
    assert.ok(fields['grpc-status-details-bin'], 'the details travel as grpc-status-details-bin');
  });

  test('a cut-off frame is INVALID_ARGUMENT in the trailer and reaches no server', async () => {
    const before = fixture.seen.length;
    const response = await grpcWeb(ECHO, Buffer.from([0, 0, 0, 0, 9, 1, 2]));
    const [only] = frames(Buffer.from(await response.arrayBuffer()));
    assert.equal(trailers(only!.data)['grpc-status'], '3');
    assert.equal(fixture.seen.length, before);
  });
});

describe('Connect server streaming', () => {
  const stream = (body: Uint8Array, codec = 'json') =>
    fetch(`${fixture.base}/fixture.gateway.v1.CatalogService/WatchItems`, { method: 'POST', body, headers: { 'content-type': `application/connect+${codec}`, 'connect-protocol-version': '1' } });

  test('JSON messages in envelopes, then the end-of-stream frame with the trailers', async () => {
    const response = await stream(frame(0, Buffer.from(JSON.stringify({ count: 2 }))));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/connect+json');
    const got = frames(Buffer.from(await response.arrayBuffer()));
    assert.deepEqual(got.map((each) => each.flags), [0, 0, 2]);
    assert.deepEqual(got.slice(0, 2).map((each) => (JSON.parse(each.data.toString()) as { sku: string }).sku), ['w0', 'w1']);
    assert.deepEqual(JSON.parse(got[2]!.data.toString()), { metadata: { 'x-items': ['2'] } }, 'the trailers are the end-of-stream metadata');
    assert.match(response.headers.get('x-served-by') ?? '', /^[ab]$/);
  });

  test('binary messages; a failure mid-stream is the end-of-stream error', async () => {
    const { Item, WatchItemsRequest } = fixture.messages;
    const response = await stream(frame(0, WatchItemsRequest.encode({ count: 5, intervalMs: 0, failAfter: 1, failWith: 'ABORTED' }).finish()), 'proto');
    const got = frames(Buffer.from(await response.arrayBuffer()));
    assert.equal(Item.decode(got[0]!.data).sku, 'w0');
    assert.deepEqual(JSON.parse(got[1]!.data.toString()), { error: { code: 'aborted', message: 'stream told to fail with ABORTED' } });
  });
});

describe('a gateway descriptor (.tsk)', () => {
  test('its [gateway] settings apply, and a service it names must be one the gateway has', async () => {
    const path = join(fixture.dir, 'gateway.tsk');
    await writeFile(path, '[gateway]\nport: 0\nhost: "127.0.0.1"\nmax_body: "16"\nservices: ["fixture.gateway.v1.CatalogService"]\n');
    const gateway = new TuskGateway({ services: [fixture.descriptor], config: path, client: { endpoints: fixture.servers.map((server) => `127.0.0.1:${server.port}`) } });
    await gateway.start();
    try {
      const response = await fetch(`http://127.0.0.1:${gateway.port}${ECHO}`, { method: 'POST', body: JSON.stringify({ sku: 'longer than sixteen bytes' }), headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 413);
    } finally {
      await gateway.stop();
    }
    await writeFile(path, '[gateway]\nservices: ["fixture.gateway.v1.CatalogServce"]\n');
    assert.throws(() => new TuskGateway({ services: [fixture.descriptor], config: path }), /gateway\.tsk:2:12: \[gateway\] services: "fixture\.gateway\.v1\.CatalogServce" is not among the gateway's services \(did you mean "fixture\.gateway\.v1\.CatalogService"\?\)/);
  });
});

describe('misbehaving clients', () => {
  test('a request target that is not a URL gets 400, not a crash', async () => {
    const socket = connectSocket(fixture.gateway.port, '127.0.0.1');
    let answer = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
    socket.write('GET //[ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n');
    await once(socket, 'close', { signal: AbortSignal.timeout(5000) });
    assert.match(answer, /^HTTP\/1\.1 400/);
    assert.equal((await fetch(`${fixture.base}/healthz`)).status, 200);
  });

  test('a client that never finishes its body gets 408 after requestTimeoutMs, and the gateway keeps serving', async () => {
    const gateway = new TuskGateway({ services: [fixture.descriptor], host: '127.0.0.1', port: 0, requestTimeoutMs: 300, client: { endpoints: fixture.servers.map((server) => `127.0.0.1:${server.port}`) } });
    await gateway.start();
    const socket = connectSocket(gateway.port, '127.0.0.1');
    try {
      socket.write(`POST ${ECHO} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"sku":`);
      let answer = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (answer += chunk));
      // Bounded: AbortSignal.timeout rejects the wait if the gateway never ends the request.
      await once(socket, 'close', { signal: AbortSignal.timeout(5000) });
      assert.match(answer, /^HTTP\/1\.1 408/);
      const after = await fetch(`http://127.0.0.1:${gateway.port}${ECHO}`, { method: 'POST', body: '{"sku":"next"}', headers: { 'content-type': 'application/json' } });
      assert.equal(after.status, 200);
    } finally {
      socket.destroy();
      await gateway.stop();
    }
  });
});

describe('lifecycle', () => {
  test('stop() lets an in-flight request finish, then refuses new connections', async () => {
    const slow = connect(ECHO, JSON.stringify({ sku: 'drain' }), 'application/json', { 'x-slow': '300' });
    await waitUntil(() => fixture.seen.some((seen) => seen.request.sku === 'drain'), 5000, 'the slow call to reach a server', { intervalMs: 5 });
    const stopped = fixture.gateway.stop();
    const response = await slow;
    assert.equal(response.status, 200);
    assert.equal(((await response.json()) as { sku: string }).sku, 'drain');
    await stopped;
    await assert.rejects(fetch(`${fixture.base}/healthz`));
  });
});
