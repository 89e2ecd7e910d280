// Client interceptors (stage 0) against the pipeline's promises: whatever an
// interceptor does with a stream it opened, the stream ends, and whatever it
// throws, the caller gets a TuskError with a gRPC code.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { setClientTraceHook, type ClientInterceptor } from '../../../src/client/index.js';
import { Code, TuskError, isTuskError } from '../../../src/status/index.js';
import { responseTexts, withEchoClient } from '../../helpers/echo-streams.js';
import { twoEchoServersPerFile } from './echo-grpc-server.js';
import { waitUntil } from '../../helpers/wait.js';

const servers = twoEchoServersPerFile();
after(() => setClientTraceHook(undefined));

/** Records how each call ended, as the pipeline reports it to the trace hook. */
function recordCallEnds(ends: string[]): void {
  setClientTraceHook({
    startCall: (info) => ({
      startAttempt: () => () => {},
      event: () => {},
      end: (error) => ends.push(`${info.method} ${error === undefined ? 'ok' : (error as TuskError).codeName}`),
    }),
  });
}

const isCode = (code: Code) => (error: unknown) => error instanceof TuskError && error.code === code;

test('a stream an interceptor opened and then dropped by throwing ends: its bulkhead slot and span are given back', async () => {
  const ends: string[] = [];
  recordCallEnds(ends);
  const rejectAfterOpening: ClientInterceptor = (next) => async (request) => {
    const response = await next(request);
    if ('message' in request && (request.message as { text: string }).text === '100') throw new TuskError(Code.PERMISSION_DENIED, 'not this one');
    return response;
  };
  try {
    await withEchoClient({ endpoints: [servers.first.address], bulkhead: { maxConcurrent: 1, queue: 0 }, interceptors: [rejectAfterOpening] }, async (client) => {
      await assert.rejects(responseTexts(client.countUp({ text: '100', delayMs: 20 })), isCode(Code.PERMISSION_DENIED));
      await waitUntil(() => ends.length === 1, 2_000, 'the dropped stream ended');
      assert.deepEqual(ends, ['CountUp CANCELLED']);
      assert.deepEqual(await responseTexts(client.countUp({ text: '2' })), ['1', '2'], 'the slot was given back');
      assert.equal((await client.echo({ text: 'after' })).text, 'after');
    });
  } finally {
    setClientTraceHook(undefined);
  }
});

test('a stream an interceptor opened and replaced by another one ends when the caller is done', async () => {
  const ends: string[] = [];
  recordCallEnds(ends);
  const openTwice: ClientInterceptor = (next) => async (request) => {
    await next(request); // e.g. a custom rule that looked at the first stream's first message and asked again
    return next(request);
  };
  try {
    await withEchoClient({ endpoints: [servers.first.address], bulkhead: { maxConcurrent: 2, queue: 0 }, interceptors: [openTwice] }, async (client) => {
      assert.deepEqual(await responseTexts(client.countUp({ text: '2', delayMs: 10 })), ['1', '2']);
      await waitUntil(() => ends.length === 2, 2_000, 'both streams ended');
      assert.deepEqual(ends.sort(), ['CountUp CANCELLED', 'CountUp ok']);
      assert.deepEqual(await responseTexts(client.countUp({ text: '1' })), ['1'], 'both slots were given back');
    });
  } finally {
    setClientTraceHook(undefined);
  }
});

test("an interceptor's plain Error reaches the caller as a TuskError UNKNOWN, with the Error as its cause", async () => {
  const broken = new Error('interceptor bug');
  const buggy: ClientInterceptor = () => async () => {
    throw broken;
  };
  const wrongShape: ClientInterceptor = () => async () => ({ message: { text: 'one' } });
  await withEchoClient({ endpoints: [servers.first.address], interceptors: [buggy] }, async (client) => {
    const isUnknownFromBug = (error: unknown) => isTuskError(error) && error.code === Code.UNKNOWN && error.message.includes('interceptor bug') && error.cause === broken;
    await assert.rejects(client.echo({ text: 'x' }), isUnknownFromBug);
    await assert.rejects(responseTexts(client.countUp({ text: '1' })), isUnknownFromBug);
  });
  await withEchoClient({ endpoints: [servers.first.address], interceptors: [wrongShape] }, async (client) => {
    await assert.rejects(responseTexts(client.countUp({ text: '1' })), (error: unknown) => isTuskError(error) && error.code === Code.UNKNOWN);
  });
});
