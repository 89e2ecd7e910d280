// The Connect protocol (unary) and the gateway's lifecycle, through a real TuskGateway and real TuskServers.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { waitUntil } from '../../helpers/wait.js';
import { startCatalog, type CatalogFixture } from './catalog-fixture.js';

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
