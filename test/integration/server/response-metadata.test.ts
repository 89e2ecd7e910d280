// Handlers set response headers and trailers through ctx.header / ctx.trailer;
// the tusk client reads them with onHeader / onTrailer. All four RPC kinds,
// on success and on failure, over a real TuskServer and a real client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { closeClient, createClient } from '../../../src/client/index.js';
import type { CallOptions } from '../../../src/client/call-options.js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import type { CallContext } from '../../../src/server/call-context.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { EchoServiceBase, echoDescriptor, type EchoRequest, type EchoResponse, type EchoServiceClient } from '../../helpers/echo-service.js';

const BINARY = Buffer.from([0, 1, 2, 250]);

/** Every method sets a text and a binary header before its first response, and a trailer counting what it sent. */
class HeaderService extends EchoServiceBase {
  lateHeaderError: unknown;

  private begin(ctx: CallContext): void {
    ctx.header.set('x-method', ctx.method);
    ctx.header.set('x-blob-bin', BINARY);
  }

  private finish(ctx: CallContext, request: EchoRequest, sent: number): void {
    ctx.trailer.set('x-sent', String(sent));
    if (request.fail !== undefined) throw new TuskError(request.fail, `failed after ${sent}`);
  }

  async echo(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    this.begin(ctx);
    this.finish(ctx, request, 1);
    return { text: request.text, instance: 'h' };
  }

  async create(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    return this.echo(request, ctx);
  }

  async *countUp(request: EchoRequest, ctx: CallContext): AsyncIterable<EchoResponse> {
    this.begin(ctx);
    yield { text: '1', instance: 'h' };
    try {
      ctx.header.set('x-too-late', 'yes');
    } catch (error) {
      this.lateHeaderError = error;
    }
    yield { text: '2', instance: 'h' };
    this.finish(ctx, request, 2);
  }

  async collect(requests: AsyncIterable<EchoRequest>, ctx: CallContext): Promise<EchoResponse> {
    this.begin(ctx);
    let last: EchoRequest = { text: '' };
    let count = 0;
    for await (const request of requests) [last, count] = [request, count + 1];
    this.finish(ctx, last, count);
    return { text: String(count), instance: 'h' };
  }

  async *chat(requests: AsyncIterable<EchoRequest>, ctx: CallContext): AsyncIterable<EchoResponse> {
    this.begin(ctx);
    let count = 0;
    let last: EchoRequest = { text: '' };
    for await (const request of requests) {
      [last, count] = [request, count + 1];
      yield { text: request.text, instance: 'h' };
    }
    this.finish(ctx, last, count);
  }
}

let server: TuskServer;
let service: HeaderService;
let client: EchoServiceClient;

before(async () => {
  service = new HeaderService();
  server = new TuskServer({ host: '127.0.0.1', port: 0, registry: new StaticRegistry([]), handleSignals: false, logger: pino({ level: 'silent' }) });
  server.add(service);
  await server.start();
  client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [`127.0.0.1:${server.port}`], retry: { maxAttempts: 1 } });
});

after(async () => {
  await closeClient(client);
  await server.stop();
});

interface Seen {
  headers: Record<string, string>[];
  trailers: Record<string, string>[];
  options: CallOptions;
}

function recorder(): Seen {
  const seen: Seen = { headers: [], trailers: [], options: {} };
  seen.options = { onHeader: (header) => seen.headers.push({ ...header }), onTrailer: (trailer) => seen.trailers.push({ ...trailer }) };
  return seen;
}

async function* requests(...items: EchoRequest[]): AsyncIterable<EchoRequest> {
  yield* items;
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let count = 0;
  for await (const _ of stream) count++;
  return count;
}

/** What each call kind looks like from the client, given its last request. */
const kinds: Array<[string, (request: EchoRequest, options: CallOptions) => Promise<unknown>]> = [
  ['unary', (request, options) => client.echo(request, options)],
  ['server streaming', (request, options) => drain(client.countUp(request, options))],
  ['client streaming', (request, options) => client.collect(requests({ text: 'a' }, request), options)],
  ['bidi streaming', (request, options) => drain(client.chat(requests({ text: 'a' }, request), options))],
];
const METHOD_OF: Record<string, string> = { unary: 'Echo', 'server streaming': 'CountUp', 'client streaming': 'Collect', 'bidi streaming': 'Chat' };

for (const [kind, call] of kinds) {
  test(`${kind}: the client sees the handler's headers (binary as base64) and trailers`, async () => {
    const seen = recorder();
    await call({ text: 'b' }, seen.options);
    assert.equal(seen.headers.length, 1);
    assert.equal(seen.headers[0]!['x-method'], METHOD_OF[kind]);
    assert.equal(seen.headers[0]!['x-blob-bin'], BINARY.toString('base64'));
    assert.ok(seen.headers[0]!['x-request-id'], 'the built-in request id header still goes out');
    assert.equal(seen.trailers.length, 1);
    assert.equal(seen.trailers[0]!['x-sent'], kind === 'unary' ? '1' : '2');
  });

  test(`${kind}: a failing handler still sends its headers and trailers beside the error status`, async () => {
    const seen = recorder();
    await assert.rejects(call({ text: 'b', fail: Code.FAILED_PRECONDITION }, seen.options), (error: unknown) => error instanceof TuskError && error.code === Code.FAILED_PRECONDITION);
    assert.equal(seen.headers[0]?.['x-method'], METHOD_OF[kind]);
    assert.equal(seen.trailers.length, 1);
    assert.equal(seen.trailers[0]!['x-sent'], kind === 'unary' ? '1' : '2');
  });
}

test('a header set after the first response is refused with a clear error instead of being dropped', async () => {
  await drain(client.countUp({ text: 'x' }));
  assert.ok(service.lateHeaderError instanceof Error);
  assert.match((service.lateHeaderError as Error).message, /headers .*already sent/);
});

test('a call that did not ask for headers or trailers works as before', async () => {
  assert.deepEqual(await client.echo({ text: 'plain' }), { text: 'plain', instance: 'h' });
});
