// TuskServerOptions.middleware over a real server and client: context, messages and outcome of all four kinds.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, createClient } from '../../../src/client/index.js';
import { onStreamEnd, type ServerMiddleware } from '../../../src/server/index.js';
import { Code, TuskError, isTuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoRequest, type EchoResponse, type EchoServiceClient } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { waitUntil } from '../../helpers/wait.js';
import { echoRequests, responseTexts } from '../../helpers/echo-streams.js';

let fixture: EchoServerFixture | undefined;
let client: EchoServiceClient | undefined;

async function serve(middleware: ServerMiddleware[]): Promise<{ fixture: EchoServerFixture; client: EchoServiceClient }> {
  fixture = await startEchoServer({ middleware });
  client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [fixture.address] });
  return { fixture, client };
}

afterEach(async () => {
  if (client !== undefined) await closeClient(client);
  await fixture?.close();
  client = undefined;
  fixture = undefined;
});


const statusOf = (error: unknown): string => (error === undefined ? 'OK' : isTuskError(error) ? error.codeName : 'error');

/** Records "<Method> <status> <request id>" for every call, streams included. */
function recorder(outcomes: string[]): ServerMiddleware {
  return (next) => async (request) => {
    const { ctx } = request;
    const record = (error: unknown) => outcomes.push(`${ctx.method} ${statusOf(error)} ${ctx.requestId}`);
    let response;
    try {
      response = await next(request);
    } catch (error) {
      record(error);
      throw error;
    }
    if ('message' in response) {
      record(undefined);
      return response;
    }
    return { messages: onStreamEnd(response.messages, (error) => record(error)) };
  };
}

test('middleware sees the context and the outcome of all four RPC kinds', async () => {
  const outcomes: string[] = [];
  const { client } = await serve([recorder(outcomes)]);
  const id = (n: number) => ({ metadata: { 'x-request-id': `req-${n}` } });
  await client.echo({ text: 'hi' }, id(1));
  await assert.rejects(client.echo({ text: 'x', fail: Code.NOT_FOUND }, id(2)), (error: unknown) => isTuskError(error) && error.code === Code.NOT_FOUND);
  assert.deepEqual(await responseTexts(client.countUp({ text: '2' }, id(3))), ['0', '1']);
  await assert.rejects(responseTexts(client.countUp({ text: '1', fail: Code.ABORTED }, id(4))), (error: unknown) => isTuskError(error) && error.code === Code.ABORTED);
  assert.equal((await client.collect(echoRequests('a', 'b'), id(5))).text, 'a,b');
  assert.deepEqual(await responseTexts(client.chat(echoRequests('c'), id(6))), ['echo:c']);
  assert.deepEqual(outcomes, [
    'Echo OK req-1',
    'Echo NOT_FOUND req-2',
    'CountUp OK req-3',
    'CountUp ABORTED req-4',
    'Collect OK req-5',
    'Chat OK req-6',
  ]);
});

test('middleware refuses a call with a TuskError before the handler runs, and may change request and response', async () => {
  const requireTenant: ServerMiddleware = (next) => async (request) => {
    if (request.ctx.metadata['x-tenant'] === undefined) throw new TuskError(Code.PERMISSION_DENIED, 'no tenant', { errorInfo: { reason: 'MISSING_TENANT', domain: 'example.test', metadata: { header: 'x-tenant' } } });
    return next(request);
  };
  const shout: ServerMiddleware = (next) => async (request) => {
    const louder = (message: unknown): EchoRequest => ({ ...(message as EchoRequest), text: (message as EchoRequest).text.toUpperCase() });
    if ('message' in request) {
      const response = await next({ ...request, message: louder(request.message) });
      return 'message' in response ? { message: { ...(response.message as EchoResponse), instance: 'shouted' } } : response;
    }
    return next({
      ...request,
      messages: (async function* () {
        for await (const message of request.messages) yield louder(message);
      })(),
    });
  };
  const { fixture, client } = await serve([requireTenant, shout]);
  await assert.rejects(client.echo({ text: 'hi' }), (error: unknown) => {
    assert.ok(isTuskError(error));
    assert.equal(error.code, Code.PERMISSION_DENIED);
    assert.equal(error.message, 'no tenant');
    assert.deepEqual(error.details, { errorInfo: { reason: 'MISSING_TENANT', domain: 'example.test', metadata: { header: 'x-tenant' } } });
    return true;
  });
  assert.equal(fixture.service.calls.length, 0, 'the handler never ran');
  const tenant = { metadata: { 'x-tenant': 'acme' } };
  assert.deepEqual(await client.echo({ text: 'hi' }, tenant), { text: 'HI', instance: 'shouted' });
  assert.equal((await client.collect(echoRequests('a', 'b'), tenant)).text, 'A,B');
  assert.deepEqual(await responseTexts(client.chat(echoRequests('c'), tenant)), ['echo:C']);
});

test('middleware runs in list order, the first outermost', async () => {
  const events: string[] = [];
  const tag =
    (name: string): ServerMiddleware =>
    (next) =>
    async (request) => {
      events.push(`${name}>`);
      const response = await next(request);
      events.push(`${name}<`);
      return response;
    };
  const { client } = await serve([tag('a'), tag('b')]);
  await client.echo({ text: 'hi' });
  assert.deepEqual(events, ['a>', 'b>', 'b<', 'a<']);
});

test("a middleware's own plain error reaches the caller as INTERNAL without its message", async () => {
  const broken: ServerMiddleware = () => async () => {
    throw new Error('secret middleware detail');
  };
  const { client, fixture } = await serve([broken]);
  await assert.rejects(client.echo({ text: 'hi' }), (error: unknown) => isTuskError(error) && error.code === Code.INTERNAL && error.message === 'internal error');
  await assert.rejects(responseTexts(client.countUp({ text: '1' })), (error: unknown) => isTuskError(error) && error.code === Code.INTERNAL && error.message === 'internal error');
  assert.ok(fixture.logs.some((line) => line.msg === 'handler threw an unexpected error'));
});

test('middleware sees a server stream stopped by the caller, and why', async () => {
  const ends: string[] = [];
  const watch: ServerMiddleware = (next) => async (request) => {
    const response = await next(request);
    if (!('messages' in response)) return response;
    return {
      messages: onStreamEnd(response.messages, (error, stopped) => {
        const reason: unknown = request.ctx.signal.reason;
        ends.push(`${statusOf(error)} stopped=${stopped} ${isTuskError(reason) ? reason.codeName : ''}`);
      }),
    };
  };
  const { client } = await serve([watch]);
  let received = 0;
  for await (const _ of client.countUp({ text: 'infinite' })) {
    received += 1;
    if (received === 2) break;
  }
  await waitUntil(() => ends.length === 1, 5_000, 'the stream end seen by the middleware');
  assert.deepEqual(ends, ['OK stopped=true CANCELLED']);
});
