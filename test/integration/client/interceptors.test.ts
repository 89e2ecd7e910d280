// ClientOptions.interceptors over a real TuskServer: unary and all stream kinds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClientInterceptor, ClientOptions } from '../../../src/client/index.js';
import { Code, TuskError, isTuskError } from '../../../src/status/index.js';
import type { EchoRequest, EchoResponse, EchoServiceClient } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { echoRequests, responseTexts, withEchoClient } from '../../helpers/echo-streams.js';

let fixture: EchoServerFixture;

before(async () => {
  fixture = await startEchoServer();
});
after(async () => {
  await fixture.close();
});


const withClient = (options: ClientOptions, body: (client: EchoServiceClient) => Promise<void>) => withEchoClient({ endpoints: [fixture.address], ...options }, body);

const lastCall = (method: string) => fixture.service.calls.filter((call) => call.method === method).at(-1)!;

test("an interceptor's header reaches the server in all four RPC kinds, beside the caller's metadata", async () => {
  const tenant: ClientInterceptor = (next) => async (request) => {
    request.header['x-tenant'] = 'acme';
    return next(request);
  };
  await withClient({ interceptors: [tenant] }, async (client) => {
    const callerMetadata = { 'x-caller': 'tests' };
    const options = { metadata: callerMetadata };
    await client.echo({ text: 'hi' }, options);
    await responseTexts(client.countUp({ text: '2' }, options));
    await client.collect(echoRequests('a', 'b'), options);
    await responseTexts(client.chat(echoRequests('x'), options));
    for (const method of ['Echo', 'CountUp', 'Collect', 'Chat']) {
      const seen = lastCall(method).ctx.metadata;
      assert.equal(seen['x-tenant'], 'acme', method);
      assert.equal(seen['x-caller'], 'tests', method);
    }
    assert.deepEqual(callerMetadata, { 'x-caller': 'tests' }, "the caller's own metadata object is left alone");
  });
});

test('interceptors run in list order, the first outermost, and see the messages of every kind', async () => {
  const events: string[] = [];
  const tag =
    (name: string): ClientInterceptor =>
    (next) =>
    async (request) => {
      events.push(`${name}>${request.method}`);
      const response = await next(request);
      events.push(`${name}<${request.method}`);
      return response;
    };
  const seen: string[] = [];
  const logMessages: ClientInterceptor = (next) => async (request) => {
    if ('message' in request) seen.push(`req:${(request.message as EchoRequest).text}`);
    const outgoing =
      'messages' in request
        ? {
            ...request,
            messages: (async function* () {
              for await (const message of request.messages) {
                seen.push(`req:${(message as EchoRequest).text}`);
                yield message;
              }
            })(),
          }
        : request;
    const response = await next(outgoing);
    if ('message' in response) {
      seen.push(`res:${(response.message as EchoResponse).text}`);
      return response;
    }
    return {
      ...response,
      messages: (async function* () {
        for await (const message of response.messages) {
          seen.push(`res:${(message as EchoResponse).text}`);
          yield message;
        }
      })(),
    };
  };
  await withClient({ interceptors: [tag('a'), tag('b'), logMessages] }, async (client) => {
    assert.equal((await client.echo({ text: 'one' })).text, 'one');
    assert.deepEqual(events, ['a>Echo', 'b>Echo', 'b<Echo', 'a<Echo']);
    assert.deepEqual(await responseTexts(client.countUp({ text: '2' })), ['0', '1']);
    assert.equal((await client.collect(echoRequests('c1', 'c2'))).text, 'c1,c2');
    assert.deepEqual(seen.splice(0), ['req:one', 'res:one', 'req:2', 'res:0', 'res:1', 'req:c1', 'req:c2', 'res:c1,c2']);
    assert.deepEqual(await responseTexts(client.chat(echoRequests('d1', 'd2'))), ['echo:d1', 'echo:d2']);
    // Requests are sent while responses arrive: only each direction's own order is fixed.
    assert.deepEqual(seen.filter((entry) => entry.startsWith('req:')), ['req:d1', 'req:d2']);
    assert.deepEqual(seen.filter((entry) => entry.startsWith('res:')), ['res:echo:d1', 'res:echo:d2']);
  });
});

test('a custom retry rule calls next() again, for a unary call and for a stream that failed to open', async () => {
  const retryAborted: ClientInterceptor = (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      if (!isTuskError(error) || error.code !== Code.ABORTED) throw error;
      // The retry asks for what the server can answer: the request is the interceptor's to change.
      return next('message' in request ? { ...request, message: { text: '2' } } : request);
    }
  };
  await withClient({ interceptors: [retryAborted] }, async (client) => {
    const echoesBefore = fixture.service.calls.filter((call) => call.method === 'Echo').length;
    assert.equal((await client.echo({ text: 'first', fail: Code.ABORTED })).text, '2');
    assert.equal(fixture.service.calls.filter((call) => call.method === 'Echo').length, echoesBefore + 2);
    // countUp with text "0" and fail sends no message, then the status: the stream fails before its first message.
    assert.deepEqual(await responseTexts(client.countUp({ text: '0', fail: Code.ABORTED })), ['0', '1']);
  });
});

test('a stream method returns synchronously; the chain runs when iteration starts', async () => {
  let runs = 0;
  const count: ClientInterceptor = (next) => (request) => {
    runs += 1;
    return next(request);
  };
  await withClient({ interceptors: [count] }, async (client) => {
    const stream = client.countUp({ text: '1' });
    const chat = client.chat(echoRequests('x'));
    assert.equal(runs, 0);
    assert.deepEqual(await responseTexts(stream), ['0']);
    assert.equal(runs, 1);
    assert.deepEqual(await responseTexts(chat), ['echo:x']);
    assert.equal(runs, 2);
  });
});

test('an interceptor observes failures, and may answer without calling the server', async () => {
  const codes: string[] = [];
  const observe: ClientInterceptor = (next) => async (request) => {
    try {
      return await next(request);
    } catch (error) {
      codes.push(isTuskError(error) ? error.codeName : 'other');
      throw error;
    }
  };
  const cached: ClientInterceptor = (next) => async (request) =>
    'message' in request && (request.message as EchoRequest).text === 'cached' ? { message: { text: 'from cache', instance: 'none' } } : next(request);
  await withClient({ interceptors: [observe, cached] }, async (client) => {
    await assert.rejects(client.echo({ text: 'x', fail: Code.NOT_FOUND }), (error: unknown) => error instanceof TuskError && error.code === Code.NOT_FOUND);
    await assert.rejects(responseTexts(client.countUp({ text: '0', fail: Code.PERMISSION_DENIED })), (error: unknown) => isTuskError(error) && error.code === Code.PERMISSION_DENIED);
    assert.deepEqual(codes, ['NOT_FOUND', 'PERMISSION_DENIED']);
    const echoesBefore = fixture.service.calls.length;
    assert.deepEqual(await client.echo({ text: 'cached' }), { text: 'from cache', instance: 'none' });
    assert.equal(fixture.service.calls.length, echoesBefore, 'the server saw no call');
  });
});

test('an interceptor that throws synchronously makes the call reject, never throw', async () => {
  const refuse: ClientInterceptor = () => () => {
    throw new TuskError(Code.FAILED_PRECONDITION, 'refused by the interceptor');
  };
  await withClient({ interceptors: [refuse] }, async (client) => {
    let pending: Promise<unknown> | undefined;
    assert.doesNotThrow(() => {
      pending = client.echo({ text: 'hi' });
    });
    await assert.rejects(pending!, (error: unknown) => isTuskError(error) && error.code === Code.FAILED_PRECONDITION);
    await assert.rejects(responseTexts(client.countUp({ text: '1' })), (error: unknown) => isTuskError(error) && error.code === Code.FAILED_PRECONDITION);
  });
});
