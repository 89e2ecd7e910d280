// REST server streaming through a real gateway: NDJSON, Server-Sent Events, failures, and a client that goes away.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitUntil } from '../../helpers/wait.js';
import { startCatalog, type CatalogFixture } from './catalog-fixture.js';

let fixture: CatalogFixture;
before(async () => {
  fixture = await startCatalog();
});
after(async () => {
  await fixture?.close();
});

test('NDJSON: one JSON message a line', async () => {
  const response = await fetch(`${fixture.base}/v1/items:watch?count=3`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/x-ndjson');
  const lines = (await response.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as { sku: string; stock: string });
  assert.deepEqual(lines.map((line) => [line.sku, line.stock]), [['w0', '0'], ['w1', '1'], ['w2', '2']]);
});

test('SSE when the client accepts text/event-stream', async () => {
  const response = await fetch(`${fixture.base}/v1/items:watch?count=2`, { headers: { accept: 'text/event-stream' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream');
  const events = (await response.text()).split('\n\n').filter((event) => event !== '');
  assert.deepEqual(events.map((event) => (JSON.parse(event.replace(/^data: /, '')) as { sku: string }).sku), ['w0', 'w1']);
});

test('a stream failing before its first message gets the HTTP status of its code', async () => {
  const response = await fetch(`${fixture.base}/v1/items:watch?count=3&failAfter=0&failWith=NOT_FOUND`);
  assert.equal(response.status, 404);
  assert.equal(((await response.json()) as { message: string }).message, 'stream told to fail with NOT_FOUND');
});

test('a failure mid-stream is the last line (NDJSON) or an error event (SSE)', async () => {
  const ndjson = await fetch(`${fixture.base}/v1/items:watch?count=5&failAfter=2&failWith=ABORTED`);
  const lines = (await ndjson.text()).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
  assert.deepEqual(lines.slice(0, 2).map((line) => line.sku), ['w0', 'w1']);
  assert.deepEqual([lines.length, lines[2]!.error.code, lines[2]!.error.message], [3, 10, 'stream told to fail with ABORTED']);
  const sse = await fetch(`${fixture.base}/v1/items:watch?count=5&failAfter=1&failWith=ABORTED`, { headers: { accept: 'text/event-stream' } });
  const events = (await sse.text()).split('\n\n').filter((event) => event !== '');
  assert.equal(events.length, 2);
  assert.match(events[1]!, /^event: error\ndata: \{"code":10,/);
});

test('a client that disconnects cancels the upstream stream: the handler sees ctx.signal abort', async () => {
  const abort = new AbortController();
  const response = await fetch(`${fixture.base}/v1/items:watch?count=1000&intervalMs=20`, { signal: abort.signal });
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /"sku":"w0"/);
  abort.abort();
  const call = fixture.seen.filter((seen) => seen.method === 'WatchItems').at(-1)!;
  await waitUntil(() => call.aborted, 5000, 'the handler to see its ctx.signal abort');
  // And the gateway goes on serving.
  assert.equal((await fetch(`${fixture.base}/v1/items:watch?count=1`)).status, 200);
});
