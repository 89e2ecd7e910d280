// REST transcoding (unary and server streaming) through a real TuskGateway in front of two real TuskServers, called with fetch.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { node, tracing } from '@opentelemetry/sdk-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { LocalRegistry } from '../../../src/discovery/local-registry.js';
import { TuskGateway } from '../../../src/gateway/index.js';
import { spawnServerProcess } from '../../helpers/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { startCatalog, type CatalogFixture } from './catalog-fixture.js';

// A real tracer provider (spans kept in memory), so the test can check who parents whom.
const spans = new tracing.InMemorySpanExporter();
const provider = new node.NodeTracerProvider({ spanProcessors: [new tracing.SimpleSpanProcessor(spans)] });

let fixture: CatalogFixture;
before(async () => {
  provider.register();
  fixture = await startCatalog({ maxBodyBytes: 2048 }, { balancer: 'round_robin' });
});
after(async () => {
  await fixture?.close();
  await provider.shutdown();
  trace.disable();
});

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const response = await fetch(`${fixture.base}${path}`, { method, body, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

/** The request the handler received for the latest call of `method`. */
function lastSeen(method: string): any {
  const calls = fixture.seen.filter((seen) => seen.method === method);
  assert.ok(calls.length > 0, `no ${method} call reached a server`);
  return calls.at(-1)!;
}

describe('routes from google.api.http', () => {
  test('GET with a path parameter and a query parameter; zero values are emitted', async () => {
    const { status, json, headers } = await call('GET', '/v1/items/sku-1?view=full');
    assert.equal(status, 200);
    assert.equal(headers.get('content-type'), 'application/json');
    assert.deepEqual(json, { sku: 'sku-1', displayName: 'view:full', stock: '0', color: 'COLOR_UNSPECIFIED', tags: [], active: false });
    assert.equal(lastSeen('GetItem').request.sku, 'sku-1');
  });

  test('the upstream\'s response headers and trailers come back as grpc-metadata-* and grpc-trailer-*', async () => {
    const { headers } = await call('GET', '/v1/items/meta');
    assert.match(headers.get('grpc-metadata-x-served-by') ?? '', /^[ab]$/);
    assert.equal(headers.get('grpc-trailer-x-cost'), '7');
    const stream = await fetch(`${fixture.base}/v1/items:watch?count=1`);
    assert.match(stream.headers.get('grpc-metadata-x-served-by') ?? '', /^[ab]$/);
    await stream.text();
  });

  test('a percent-encoded path parameter is decoded', async () => {
    const { json } = await call('GET', '/v1/items/a%20b%2Fc');
    assert.equal(json.sku, 'a b/c');
  });

  test('additional bindings: a multi-segment variable and a custom verb with body "*"', async () => {
    const nested = await call('GET', '/v1/shelves/s1/items/i2');
    assert.equal(nested.status, 200);
    assert.equal(lastSeen('GetItem').request.name, 'shelves/s1/items/i2');
    const verb = await call('POST', '/v1/items/sku-9:lookup', JSON.stringify({ view: 'brief' }));
    assert.equal(verb.status, 200);
    assert.deepEqual([lastSeen('GetItem').request.sku, lastSeen('GetItem').request.view], ['sku-9', 'brief']);
  });

  test('POST body "*" with int64 above 2^53, an enum by name, a Timestamp, nested and repeated fields', async () => {
    const item = { sku: 'big', displayName: 'Big', stock: '9007199254740993', color: 'COLOR_BLUE', tags: ['x', 'y'], updatedAt: '2026-01-02T03:04:05.500Z', dimensions: { width: 1.5, height: 2 }, active: true };
    const { status, json } = await call('POST', '/v1/items', JSON.stringify({ item, requestId: 'r-1' }));
    assert.equal(status, 200);
    const seen = lastSeen('CreateItem').request;
    assert.equal(seen.item.stock, 9007199254740993n);
    assert.equal(seen.item.color, 2);
    assert.deepEqual(seen.item.tags, ['x', 'y']);
    assert.equal(seen.item.updatedAt.toISOString(), '2026-01-02T03:04:05.500Z');
    assert.deepEqual(seen.item.dimensions, { width: 1.5, height: 2 });
    assert.equal(seen.requestId, 'r-1');
    assert.equal(json.stock, '9007199254740993');
    assert.equal(json.color, 'COLOR_BLUE');
    assert.equal(json.updatedAt, '2026-01-02T03:04:05.500Z');
    assert.match(json.displayName, /^Big by [ab]$/);
  });

  test('proto field names are accepted in the body as well as JSON names', async () => {
    const { status } = await call('POST', '/v1/items', JSON.stringify({ item: { sku: 's', display_name: 'Snake' }, request_id: 'r-2' }));
    assert.equal(status, 200);
    assert.equal(lastSeen('CreateItem').request.item.displayName, 'Snake');
  });

  test('PATCH with body "item": the path sets item.sku, the query sets the rest', async () => {
    const { status, json } = await call('PATCH', '/v1/items/p-1?reason=restock', JSON.stringify({ displayName: 'Patched', stock: '7', sku: 'ignored' }));
    assert.equal(status, 200);
    const seen = lastSeen('UpdateItem').request;
    assert.equal(seen.item.sku, 'p-1');
    assert.equal(seen.item.stock, 7n);
    assert.equal(seen.reason, 'restock');
    assert.equal(json.displayName, 'Patched (restock)');
  });

  test('PUT with response_body answers with that field only', async () => {
    const { status, json } = await call('PUT', '/v1/items/r-1', JSON.stringify({ displayName: 'Replaced' }));
    assert.equal(status, 200);
    assert.equal(json.sku, 'r-1');
    assert.equal(json.displayName, 'Replaced');
    assert.equal(json.servedBy, undefined);
  });

  test('query parameters: repeated keys, dotted nested fields, enums, bools, int64, JSON and proto names', async () => {
    const { status, json } = await call('GET', '/v1/items:search?query=lamp&tags=a&tags=b&color=COLOR_RED&limit=5&active_only=true&min.width=2.5&minStock=9007199254740993');
    assert.equal(status, 200);
    const seen = lastSeen('SearchItems').request;
    assert.deepEqual(seen.tags, ['a', 'b']);
    assert.equal(seen.color, 1);
    assert.equal(seen.limit, 5);
    assert.equal(seen.activeOnly, true);
    assert.equal(seen.min.width, 2.5);
    assert.equal(seen.minStock, 9007199254740993n);
    assert.deepEqual(json.echoed.tags, ['a', 'b']);
    assert.equal(json.echoed.minStock, '9007199254740993');
  });

  test('a trailing ** variable takes the rest of the path', async () => {
    const { json } = await call('GET', '/v1/files/docs/2026/report.pdf');
    assert.equal(json.path, 'docs/2026/report.pdf');
  });

  test('DELETE; both upstream instances, found through the local registry, serve (the tusk client balances)', async () => {
    const servedBy = new Set<string>();
    await waitUntil(async () => {
      const { json } = await call('POST', '/v1/items', JSON.stringify({ item: { sku: 'n' } }));
      servedBy.add(String(json.displayName).slice(-1));
      return servedBy.size === 2;
    }, 5000, () => `calls served by both instances, got ${[...servedBy].join(', ')}`, { intervalMs: 10 });
    const { status, json } = await call('DELETE', '/v1/items/gone');
    assert.equal(status, 200);
    assert.equal(json.sku, 'gone');
  });
});

describe('errors', () => {
  for (const [name, httpStatus] of [['NOT_FOUND', 404], ['INVALID_ARGUMENT', 400], ['UNAUTHENTICATED', 401], ['PERMISSION_DENIED', 403], ['RESOURCE_EXHAUSTED', 429], ['UNAVAILABLE', 503], ['ALREADY_EXISTS', 409]] as const) {
    test(`${name} from the handler is HTTP ${httpStatus} with a google.rpc.Status body and its details`, async () => {
      const { status, json } = await call('DELETE', `/v1/items/x1?failWith=${name}`);
      assert.equal(status, httpStatus);
      assert.equal(json.message, `told to fail with ${name}`);
      assert.ok(Number.isInteger(json.code) && json.code > 0);
      const badRequest = { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'sku', description: 'sku x1 is wrong' }] };
      const retryInfo = { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1.500s' };
      // Canonical proto3 JSON: the Duration is "1.500s", not { seconds, nanos }.
      assert.deepEqual(json.details, name === 'RESOURCE_EXHAUSTED' ? [badRequest, retryInfo] : [badRequest]);
    });
  }

  test('malformed JSON is 400 with the position, and never reaches a server', async () => {
    const before = fixture.seen.length;
    const { status, json } = await call('POST', '/v1/items', '{"item": {"sku": "a",}}');
    assert.equal(status, 400);
    assert.equal(json.code, 3);
    assert.match(json.message, /not valid JSON: .*line 1 column 22/);
    assert.equal(fixture.seen.length, before);
  });

  test('an unknown field is 400 naming it and where it is', async () => {
    const before = fixture.seen.length;
    const { status, json } = await call('POST', '/v1/items', '{"item": {"sku": "a",\n  "colour": "COLOR_RED"}}');
    assert.equal(status, 400);
    assert.match(json.message, /"colour" is unknown.*line 2 column 3/);
    assert.equal(json.details[0].fieldViolations[0].field, 'colour');
    assert.equal(fixture.seen.length, before);
  });

  test('a wrong field type is 400', async () => {
    const { status, json } = await call('POST', '/v1/items', JSON.stringify({ item: { stock: 'many' } }));
    assert.equal(status, 400);
    assert.match(json.message, /stock/);
  });

  test('an unknown query parameter and a bad bool are 400', async () => {
    assert.equal((await call('GET', '/v1/items:search?nope=1')).status, 400);
    const bad = await call('GET', '/v1/items:search?active_only=yes');
    assert.equal(bad.status, 400);
    assert.match(bad.json.message, /not a boolean/);
  });

  test('an unknown route is 404, a known path with the wrong method 405 with Allow', async () => {
    const missing = await call('GET', '/v2/nothing');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.code, 5);
    const wrong = await call('PUT', '/v1/items');
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
  });

  test('a body over max_body is 413, and the gateway keeps serving', async () => {
    const { status, json } = await call('POST', '/v1/items', JSON.stringify({ item: { sku: 'x'.repeat(4096) } }));
    assert.equal(status, 413);
    assert.match(json.message, /max_body/);
    assert.equal((await call('GET', '/v1/items/after')).status, 200);
  });

  test('a malformed grpc-timeout is 400; a short one ends the call with 504', async () => {
    assert.equal((await call('GET', '/v1/items/t', undefined, { 'grpc-timeout': 'soon' })).status, 400);
    const slow = await fetch(`${fixture.base}/fixture.gateway.v1.CatalogService/Echo`, {
      method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'connect-timeout-ms': '50', 'x-slow': '2000' },
    });
    assert.equal(slow.status, 504);
    assert.equal(((await slow.json()) as { code: string }).code, 'deadline_exceeded');
  });
});

describe('server streaming', () => {
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
});

describe('an instance killed under load', () => {
  test('SIGKILL of one of two server processes fails no idempotent request', async () => {
    const registryDir = await mkdtemp(join(tmpdir(), 'tusk-gateway-kill-'));
    const env = { ...process.env, CATALOG_GEN: join(fixture.dir, 'gen', 'fixture', 'gateway', 'v1', 'catalog.tusk.ts'), CATALOG_REGISTRY: registryDir };
    const script = fileURLToPath(new URL('./catalog-process.ts', import.meta.url));
    const [a, b] = await Promise.all(['a', 'b'].map((servedBy) => spawnServerProcess({ ...env, SERVED_BY: servedBy }, 30_000, script)));
    const registry = new LocalRegistry({ dir: registryDir, ttlMs: 1000, logger: pino({ level: 'silent' }) });
    const gateway = new TuskGateway({ services: [fixture.descriptor], host: '127.0.0.1', port: 0, client: { registry } });
    await gateway.start();
    const search = async (): Promise<{ status: number; servedBy?: string }> => {
      const response = await fetch(`http://127.0.0.1:${gateway.port}/v1/items:search?query=load`);
      const body = (await response.json()) as { items?: { sku: string }[] };
      return { status: response.status, servedBy: body.items?.[0]?.sku };
    };
    try {
      const seenBefore = new Set<string>();
      await waitUntil(async () => seenBefore.add((await search()).servedBy ?? '?').has('a') && seenBefore.has('b'), 10_000, 'both processes to serve');
      // Bounded load: 4 callers, 300 requests or 10 s; b dies after the first 60 answers.
      const statuses: number[] = [];
      const servedAfterKill = new Set<string>();
      let killed = false;
      const until = Date.now() + 10_000;
      const caller = async () => {
        while (statuses.length < 300 && Date.now() < until) {
          const { status, servedBy } = await search();
          statuses.push(status);
          if (killed && servedBy !== undefined) servedAfterKill.add(servedBy);
          if (!killed && statuses.length >= 60) {
            killed = true;
            b!.kill();
          }
        }
      };
      await Promise.all([caller(), caller(), caller(), caller()]);
      assert.ok(killed && statuses.length >= 100, `only ${statuses.length} requests ran`);
      const failed = statuses.filter((status) => status !== 200);
      assert.deepEqual(failed, [], `${failed.length} of ${statuses.length} requests failed`);
      assert.ok(servedAfterKill.has('a'));
    } finally {
      a!.kill();
      b!.kill();
      await gateway.stop();
      await registry.close();
      await rm(registryDir, { recursive: true, force: true });
    }
  });
});

describe('metadata', () => {
  test('traceparent and x-request-id reach the handler through the gateway span; the answer carries the request id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { headers } = await call('GET', '/v1/items/traced', undefined, { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'req-42', authorization: 'Bearer t0k3n' });
    assert.equal(headers.get('x-request-id'), 'req-42');
    const { ctx } = lastSeen('GetItem');
    assert.equal(ctx.trace.traceId, traceId);
    // The gateway's span is the caller's child and the parent of the client pipeline's call span.
    const inTrace = spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
    const edge = inTrace.find((span) => span.name === 'GET /v1/items/{sku}');
    const client = inTrace.find((span) => span.name === 'fixture.gateway.v1.CatalogService/GetItem' && span.kind === SpanKind.CLIENT);
    assert.ok(edge && client, `spans in the trace: ${inTrace.map((span) => span.name).join(', ')}`);
    assert.equal(edge.kind, SpanKind.SERVER);
    assert.equal(edge.parentSpanContext?.spanId, '00f067aa0ba902b7');
    assert.equal(client.parentSpanContext?.spanId, edge.spanContext().spanId);
    assert.equal(ctx.requestId, 'req-42');
    assert.equal(ctx.metadata.authorization, 'Bearer t0k3n');
  });

  test('GET /openapi.json describes the routes with proto3 JSON schemas', async () => {
    const { status, json } = await call('GET', '/openapi.json');
    assert.equal(status, 200);
    assert.equal(json.openapi, '3.1.0');
    const getItem = json.paths['/v1/items/{sku}'].get;
    assert.deepEqual(getItem.parameters.map((p: any) => [p.name, p.in]), [['sku', 'path'], ['name', 'query'], ['view', 'query']]);
    assert.deepEqual(getItem.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/fixture.gateway.v1.Item' });
    assert.ok(json.paths['/v1/{name}'].get, 'a multi-segment variable is one path parameter');
    assert.equal(json.paths['/v1/items/{sku}:lookup'].post.requestBody.content['application/json'].schema.$ref, '#/components/schemas/fixture.gateway.v1.GetItemRequest');
    const search = json.paths['/v1/items:search'].get.parameters.find((p: any) => p.name === 'tags');
    assert.deepEqual(search, { name: 'tags', in: 'query', required: false, schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true });
    assert.equal(json.paths['/v1/items/{item.sku}'].put.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/fixture.gateway.v1.Item');
    assert.ok(json.paths['/v1/items:watch'].get.responses['200'].content['text/event-stream']);
    const item = json.components.schemas['fixture.gateway.v1.Item'].properties;
    assert.deepEqual(item.stock, { type: 'string', format: 'int64' });
    assert.deepEqual(item.updatedAt, { type: 'string', format: 'date-time' });
    assert.deepEqual(item.color, { type: 'string', enum: ['COLOR_UNSPECIFIED', 'COLOR_RED', 'COLOR_BLUE'] });
    assert.deepEqual(item.dimensions, { $ref: '#/components/schemas/fixture.gateway.v1.Dimensions' });
  });

  test('GET /healthz is 200 while serving', async () => {
    const response = await fetch(`${fixture.base}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'ok\n');
  });
});
