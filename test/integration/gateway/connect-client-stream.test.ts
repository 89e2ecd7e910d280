// Connect client streaming through a real TuskGateway to real TuskServers, with hand-built envelopes: the
// fetch-based @connectrpc/connect-web transport refuses client streams ("The fetch API does not support
// streaming request bodies", connect-transport.js), so what it would send is built here, and sent with fetch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitUntil } from '../../helpers/wait.js';
import { startCatalog, type CatalogFixture } from './catalog-fixture.js';
import { frame, frames } from './frames.js';
import { TuskGateway } from '../../../src/gateway/index.js';

let fixture: CatalogFixture;
before(async () => {
  fixture = await startCatalog();
});
after(async () => {
  await fixture?.close();
});

const TOTAL_STOCK = '/fixture.gateway.v1.CatalogService/TotalStock';

function post(body: Uint8Array | ReadableStream<Uint8Array>, codec = 'json', base = fixture.base, path = TOTAL_STOCK): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', body, duplex: 'half', headers: { 'content-type': `application/connect+${codec}`, 'connect-protocol-version': '1' } } as RequestInit);
}

/** The answer's frames: one message and the end-of-stream JSON, or the end-of-stream alone on failure. */
async function answerOf(response: Response): Promise<{ message?: Buffer; end: Record<string, any> }> {
  assert.equal(response.status, 200);
  const got = frames(Buffer.from(await response.arrayBuffer()));
  assert.equal(got.at(-1)!.flags, 0x02, 'the last frame is the end of the stream');
  assert.ok(got.length <= 2);
  return { message: got.length === 2 ? got[0]!.data : undefined, end: JSON.parse(got.at(-1)!.data.toString()) as Record<string, any> };
}

const lastTotalStock = () => fixture.seen.filter((call) => call.method === 'TotalStock').at(-1);

describe('Connect client streaming', () => {
  test('JSON envelopes reach the handler as they arrive, before the body ends; one answer, then the end of the stream', async () => {
    let feed!: ReadableStreamDefaultController<Uint8Array>;
    const body = new ReadableStream<Uint8Array>({ start: (controller) => void (feed = controller) });
    const calls = fixture.seen.length;
    const answer = post(body);
    feed.enqueue(frame(0, JSON.stringify({ sku: 'a', stock: '9007199254740993' })));
    // The gateway forwards the first message while the rest of the body is still unsent: no buffering of the whole body.
    await waitUntil(() => fixture.seen.length > calls && (lastTotalStock()?.request as unknown[]).length === 1, 3000, 'the handler to see the first item while the body is open');
    feed.enqueue(frame(0, JSON.stringify({ sku: 'b', stock: '7' })));
    feed.enqueue(frame(0x02, '{}'));
    feed.close();
    const response = await answer;
    assert.equal(response.headers.get('content-type'), 'application/connect+json');
    const { message, end } = await answerOf(response);
    assert.deepEqual(JSON.parse(message!.toString()), { items: 2, stock: '9007199254741000', skus: ['a', 'b'] });
    assert.deepEqual(end, {});
    assert.equal(lastTotalStock()!.request[0].stock, 9007199254740993n, 'int64 above 2^53 reached the handler exactly');
  });

  test('binary envelopes, read with the generated codecs; an empty stream is a valid call', async () => {
    const { Item, StockTotal } = fixture.messages;
    const item = (sku: string, stock: bigint) => frame(0, Item.encode({ sku, displayName: '', stock, color: 0, tags: [], updatedAt: undefined, dimensions: undefined, active: false }).finish());
    const { message } = await answerOf(await post(Buffer.concat([item('x', 2n ** 60n), item('y', 1n), item('z', 2n)]), 'proto'));
    const total = StockTotal.decode(message!);
    assert.deepEqual([total.items, total.stock, total.skus], [3, 2n ** 60n + 3n, ['x', 'y', 'z']]);
    const empty = StockTotal.decode((await answerOf(await post(new Uint8Array(0), 'proto'))).message!);
    assert.deepEqual([empty.items, empty.stock], [0, 0n]);
  });

  test('a body malformed from its first envelope is invalid_argument and never reaches a server', async () => {
    const calls = fixture.seen.length;
    for (const body of [Buffer.from([0, 0, 0]), frame(0, '{"sku":'), frame(0, '{"nope":1}'), frame(0x01, '{}'), frame(0, '{"sku":"cut"}').subarray(0, 9)]) {
      const { message, end } = await answerOf(await post(body));
      assert.equal(message, undefined);
      assert.equal(end.error.code, 'invalid_argument', `body ${body.toString('hex')}: ${JSON.stringify(end)}`);
    }
    assert.equal(fixture.seen.length, calls, 'no call reached a server');
  });

  test('a bad envelope after good ones ends the call with invalid_argument, not the cancellation it causes upstream', async () => {
    const { message, end } = await answerOf(await post(Buffer.concat([frame(0, '{"sku":"ok"}'), frame(0, 'not json')])));
    assert.equal(message, undefined);
    assert.equal(end.error.code, 'invalid_argument');
    assert.match(end.error.message, /not valid JSON/);
  });

  test('max_body holds for the whole stream, not per envelope', async () => {
    const gateway = new TuskGateway({ services: [fixture.descriptor], host: '127.0.0.1', port: 0, maxBodyBytes: 64, client: { endpoints: fixture.servers.map((server) => `127.0.0.1:${server.port}`) } });
    await gateway.start();
    try {
      const base = `http://127.0.0.1:${gateway.port}`;
      const small = frame(0, '{"sku":"s"}');
      assert.deepEqual(JSON.parse((await answerOf(await post(Buffer.concat([small, small]), 'json', base))).message!.toString()).skus, ['s', 's']);
      let feed!: ReadableStreamDefaultController<Uint8Array>;
      const answer = post(new ReadableStream<Uint8Array>({ start: (controller) => void (feed = controller) }), 'json', base);
      for (let i = 0; i < 8; i++) feed.enqueue(small); // 128 bytes in 16-byte envelopes
      feed.close();
      const { end } = await answerOf(await answer);
      assert.equal(end.error.code, 'resource_exhausted');
      assert.match(end.error.message, /max_body \(64 bytes\)/);
      assert.equal((await fetch(`${base}/healthz`)).status, 200, 'the gateway keeps serving');
    } finally {
      await gateway.stop();
    }
  });

  test('bidi streaming is refused as unimplemented: Connect needs full duplex, which HTTP/1.1 cannot give', async () => {
    const calls = fixture.seen.length;
    const { end } = await answerOf(await post(frame(0, '{}'), 'json', fixture.base, '/fixture.gateway.v1.CatalogService/MirrorItems'));
    assert.equal(end.error.code, 'unimplemented');
    assert.match(end.error.message, /full-duplex/);
    assert.equal(fixture.seen.length, calls);
  });
});
