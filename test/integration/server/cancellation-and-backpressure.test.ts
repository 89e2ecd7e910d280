import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { EchoResponse } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary, waitFor } from '../../helpers/server-raw-client.js';
import { openH2Call } from '../../helpers/server-h2-client.js';
import { onServerTransport, TRANSPORTS } from '../../helpers/transports.js';

/** Waits until `read()` stops changing for `quietMs` (bounded by `timeoutMs`), returns the settled value. */
async function settled(read: () => number, quietMs = 400, timeoutMs = 15_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
  }
  throw new Error(`value kept changing (last ${last})`);
}

for (const transport of TRANSPORTS) {
  let fixture: EchoServerFixture;
  before(async () => {
    fixture = await startEchoServer({}, onServerTransport(transport));
  });
  after(async () => {
    await fixture.close();
  });

  test(`[${transport}] server streaming respects backpressure: a reader that stops reading stops the producer`, async () => {
    fixture.service.pulled = 0;
    const call = openH2Call(fixture.address, '/test.v1.EchoService/CountUp', Buffer.from(JSON.stringify({ text: 'infinite' })));
    try {
      await waitFor(() => fixture.service.pulled > 0, 'the first item');
      // An infinite producer ignoring backpressure would never settle; 64 KiB items bound the buffers.
      const stalled = await settled(() => fixture.service.pulled);
      assert.ok(stalled < 64, `the producer ran ahead by ${stalled} items of 64 KiB`);

      // Reading again resumes the producer.
      let receivedBytes = 0;
      call.stream.on('data', (chunk: Buffer) => {
        receivedBytes += chunk.length;
      });
      call.stream.resume();
      await waitFor(() => fixture.service.pulled > stalled + 50, 'the producer to resume');
      assert.ok(receivedBytes > 50 * 64 * 1024);

      // Cancelling aborts ctx.signal and the runtime stops pulling.
      const observed = fixture.service.calls.at(-1)!;
      call.close();
      await waitFor(() => observed.abortedWith !== undefined, 'ctx.signal to abort');
      assert.equal(observed.abortedWith, 'call cancelled by the client');
      const finalPulled = await settled(() => fixture.service.pulled);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(fixture.service.pulled, finalPulled, 'no item pulled after cancel settled');
    } finally {
      call.close();
    }
  });

  test(`[${transport}] a client cancel aborts ctx.signal of a unary handler`, async () => {
    let call: grpc.ClientUnaryCall | undefined;
    const before = fixture.service.calls.length;
    const result = unary(fixture.client, 'echo', { text: 'wait-abort' }, { onCall: (c) => (call = c) });
    await waitFor(() => fixture.service.calls.length > before, 'the handler to start');
    const observed = fixture.service.calls[before]!;
    call!.cancel();
    await assert.rejects(result, (error: grpc.ServiceError) => error.code === grpc.status.CANCELLED);
    await waitFor(() => observed.abortedWith !== undefined, 'ctx.signal to abort');
    assert.equal(observed.abortedWith, 'call cancelled by the client');
    assert.equal((observed.ctx.signal.reason as { code: number }).code, grpc.status.CANCELLED);
  });

  test(`[${transport}] a passing deadline aborts ctx.signal of a unary handler`, async () => {
    const started = fixture.service.calls.length;
    await assert.rejects(
      unary(fixture.client, 'echo', { text: 'wait-abort' }, { deadline: Date.now() + 300 }),
      (error: grpc.ServiceError) => error.code === grpc.status.DEADLINE_EXCEEDED,
    );
    const observed = fixture.service.calls[started]!;
    await waitFor(() => observed.abortedWith !== undefined, 'ctx.signal to abort');
    assert.equal(observed.abortedWith, 'deadline exceeded');
    assert.equal((observed.ctx.signal.reason as { code: number }).code, grpc.status.DEADLINE_EXCEEDED);
  });

  test(`[${transport}] a passing deadline stops a server stream: ctx.signal aborts and no more items are pulled`, async () => {
    fixture.service.pulled = 0;
    const stream = fixture.client.countUp({ text: '100000', delayMs: 20 }, { deadline: Date.now() + 400 });
    const items: EchoResponse[] = [];
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      stream.on('data', (item: EchoResponse) => items.push(item));
      stream.on('error', resolve);
    });
    assert.equal(error.code, grpc.status.DEADLINE_EXCEEDED);
    assert.ok(items.length > 0);
    const observed = fixture.service.calls.at(-1)!;
    await waitFor(() => observed.abortedWith !== undefined, 'ctx.signal to abort');
    assert.equal(observed.abortedWith, 'deadline exceeded');
    const pulled = await settled(() => fixture.service.pulled);
    assert.ok(pulled <= items.length + 2, `pulled ${pulled}, delivered ${items.length}`);
  });

  test(`[${transport}] a client cancel aborts ctx.signal of a bidi handler`, async () => {
    const before = fixture.service.calls.length;
    const call = fixture.client.chat();
    call.on('error', () => undefined);
    call.write({ text: 'first' });
    const first = await new Promise<EchoResponse>((resolve) => call.once('data', resolve));
    assert.equal(first.text, 'echo:first');
    const observed = fixture.service.calls[before]!;
    assert.equal(observed.method, 'Chat');
    call.write({ text: 'wait-abort' });
    await waitFor(() => observed.waitingForAbort === true, 'the handler to wait on ctx.signal');
    call.cancel();
    await waitFor(() => observed.abortedWith !== undefined, 'ctx.signal to abort');
    assert.equal(observed.abortedWith, 'call cancelled by the client');
  });

  test(`[${transport}] a client cancel aborts ctx.signal of a client-streaming handler`, async () => {
    const before = fixture.service.calls.length;
    const call = fixture.client.collect(() => undefined);
    call.write({ text: 'a' });
    call.write({ text: 'wait-abort' });
    await waitFor(() => fixture.service.calls.length > before, 'Collect to start');
    const observed = fixture.service.calls[before]!;
    assert.equal(observed.method, 'Collect');
    await waitFor(() => observed.waitingForAbort === true, 'the handler to wait on ctx.signal');
    call.cancel();
    await waitFor(() => observed.abortedWith !== undefined, 'ctx.signal to abort');
    assert.equal(observed.abortedWith, 'call cancelled by the client');
    // The server still serves after all these cancellations.
    const { response } = await unary(fixture.client, 'echo', { text: 'ok' });
    assert.equal(response.text, 'ok');
  });
}
