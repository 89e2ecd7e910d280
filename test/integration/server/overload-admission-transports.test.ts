// Admission sees how a call really ended on both server transports: a call
// whose deadline runs out is a back-off (DEADLINE_EXCEEDED, not a cancel), so
// is one answered after its deadline (a blocked loop answers late), and
// an answered call holds its slot until its answer has left (as grpc-js ends a
// call when the trailers go out), so the time an answer waits to be flushed
// counts. The lean transport used to end a call when its handler answered.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, describe, test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { RawDescriptor } from '../../../src/config/types.js';
import { encodeFrame } from '../../../src/wire/frame-decoder.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: grpc.ServiceError) => error.code);

/** An Echo call from a peer that grants no flow-control window: the server can answer but not send the message. */
function callWithClosedWindow(address: string) {
  const session = http2.connect(`http://${address}`, { settings: { initialWindowSize: 0 } });
  session.on('error', () => undefined);
  const stream = session.request({ ':method': 'POST', ':path': '/test.v1.EchoService/Echo', 'content-type': 'application/grpc', te: 'trailers' });
  stream.on('error', () => undefined);
  stream.end(encodeFrame(Buffer.from(JSON.stringify({ text: 'blocked' })), false));
  return { headers: new Promise<void>((resolve) => stream.once('response', () => resolve())), close: () => session.destroy() };
}

for (const transport of ['grpc-js', 'http2'] as const) {
  describe(`admission on the ${transport} transport`, () => {
    let fixed: EchoServerFixture;
    let adaptive: EchoServerFixture;
    let stalled: EchoServerFixture;
    const config = (overload: RawDescriptor): RawDescriptor => ({ server: { transport, overload } });
    before(async () => {
      [fixed, adaptive, stalled] = await Promise.all([
        startEchoServer({}, config({ limiter: 'fixed', initial_limit: 1 })),
        startEchoServer({}, config({ limiter: 'gradient2', initial_limit: 8, min_limit: 1 })),
        startEchoServer({}, config({ limiter: 'gradient2', initial_limit: 8, min_limit: 1 })),
      ]);
    });
    after(() => Promise.all([fixed.close(), adaptive.close(), stalled.close()]));

    test('an answered call holds its slot until the answer has left', async () => {
      const blocked = callWithClosedWindow(fixed.address);
      try {
        await blocked.headers;
        await waitUntil(() => fixed.service.completed === 1, 5_000, 'the handler answered');
        assert.equal(await refusal(unary(fixed.client, 'echo', { text: 'second' })), grpc.status.UNAVAILABLE, 'the unflushed answer still holds the only slot');
      } finally {
        blocked.close();
      }
      await waitUntil(async () => (await refusal(unary(fixed.client, 'echo', { text: 'again' }))) === undefined, 5_000, 'the slot freed once the stream closed');
    });

    test('calls whose deadline runs out back the limit off (a DEADLINE_EXCEEDED outcome, not a cancel)', async () => {
      const expiring = Array.from({ length: 4 }, () => refusal(unary(adaptive.client, 'echo', { text: 'wait-abort' }, { deadline: Date.now() + 100 })));
      assert.deepEqual(await Promise.all(expiring), Array(4).fill(grpc.status.DEADLINE_EXCEEDED));
      // Backed off below the 1..4 calls in flight as each expired: a limit of 1 leaves no room for a second call.
      let heldCall: grpc.ClientUnaryCall | undefined;
      const held = refusal(unary(adaptive.client, 'echo', { text: 'wait-abort' }, { onCall: (call) => (heldCall = call) }));
      await waitUntil(() => adaptive.service.calls.filter((call) => call.waitingForAbort).length === 5, 5_000, 'a call holding the slot');
      assert.equal(await refusal(unary(adaptive.client, 'echo', { text: 'one more' })), grpc.status.UNAVAILABLE);
      heldCall!.cancel();
      assert.equal(await held, grpc.status.CANCELLED);
    });

    test('answers that leave after their deadline (the loop was blocked) back the limit off, like expired calls', async () => {
      const late = Array.from({ length: 4 }, () => refusal(unary(stalled.client, 'echo', { text: 'late', delayMs: 100 }, { deadline: Date.now() + 200 })));
      await waitUntil(() => stalled.service.calls.length === 4, 5_000, 'four handlers waiting');
      // A saturated loop, as under overload: the handlers' timers come due before the deadline timers and answer late.
      const blockedUntil = Date.now() + 400;
      while (Date.now() < blockedUntil);
      assert.deepEqual(await Promise.all(late), Array(4).fill(grpc.status.DEADLINE_EXCEEDED));
      let heldCall: grpc.ClientUnaryCall | undefined;
      const held = refusal(unary(stalled.client, 'echo', { text: 'wait-abort' }, { onCall: (call) => (heldCall = call) }));
      await waitUntil(() => stalled.service.calls.some((call) => call.waitingForAbort), 5_000, 'a call holding the slot');
      assert.equal(await refusal(unary(stalled.client, 'echo', { text: 'one more' })), grpc.status.UNAVAILABLE, 'the limit came down to 1');
      heldCall!.cancel();
      assert.equal(await held, grpc.status.CANCELLED);
    });
  });
}
