import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { BadRequest } from '../../../src/status/google/rpc/error_details.js';
import { Status } from '../../../src/status/google/rpc/status.js';
import type { EchoResponse } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { rawBytesCall, unary } from '../../helpers/server-raw-client.js';
import { onServerTransport, TRANSPORTS } from '../../helpers/transports.js';

const MAX_RECEIVE = 1024;
function rejection(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  return promise.then(
    () => assert.fail('expected the call to fail'),
    (error: grpc.ServiceError) => error,
  );
}

for (const transport of TRANSPORTS) {
  let fixture: EchoServerFixture;
  before(async () => {
    // The size limit comes from the descriptor's [server] section, as in production.
    fixture = await startEchoServer({}, onServerTransport(transport, { server: { max_receive_message_bytes: MAX_RECEIVE } }));
  });
  after(async () => {
    await fixture.close();
  });

  async function stillServing(): Promise<void> {
    const { response } = await unary(fixture.client, 'echo', { text: 'still here' });
    assert.equal(response.text, 'still here');
  }

  test(`[${transport}] a TuskError reaches the caller as its status, message and a google.rpc.Status in grpc-status-details-bin`, async () => {
    const error = await rejection(unary(fixture.client, 'echo', { text: 'x', fail: grpc.status.NOT_FOUND }));
    assert.equal(error.code, grpc.status.NOT_FOUND);
    assert.equal(error.details, 'failed on purpose');
    const details = error.metadata.get('grpc-status-details-bin')[0];
    assert.ok(Buffer.isBuffer(details));
    const status = Status.decode(details);
    assert.deepEqual([status.code, status.message], [grpc.status.NOT_FOUND, 'failed on purpose']);
    assert.deepEqual(status.details.map((detail) => detail.typeUrl), ['type.googleapis.com/google.rpc.BadRequest']);
    assert.deepEqual(BadRequest.decode(status.details[0]!.value).fieldViolations.map(({ field, description }) => [field, description]), [['text', 'bad']]);
    // The request id also rides a trailers-only error response.
    assert.equal(error.metadata.get('x-request-id')[0], fixture.service.calls.at(-1)!.ctx.requestId);
  });

  test(`[${transport}] any other thrown error becomes INTERNAL with a generic message; the stack is only logged`, async () => {
    const error = await rejection(unary(fixture.client, 'echo', { text: 'throw' }));
    assert.equal(error.code, grpc.status.INTERNAL);
    assert.equal(error.details, 'internal error');
    const trailers = JSON.stringify(error.metadata.toJSON());
    assert.doesNotMatch(trailers + error.message, /secret internal detail|at .*\.ts/);
    const logged = fixture.logs.find((line) => line.msg === 'handler threw an unexpected error');
    assert.ok(logged, 'the error is logged');
    const err = logged.err as { message: string; stack: string };
    assert.equal(err.message, 'secret internal detail');
    assert.match(err.stack, /server-echo-service\.ts/);
    await stillServing();
  });

  test(`[${transport}] garbage request bytes: INVALID_ARGUMENT, the handler never runs, the server keeps serving`, async () => {
    const before = fixture.service.calls.length;
    for (const garbage of [Buffer.from([0xff, 0x00, 0x13, 0x37]), Buffer.from('42'), Buffer.alloc(0)]) {
      const error = await rejection(rawBytesCall(fixture.client, '/test.v1.EchoService/Echo', garbage));
      assert.equal(error.code, grpc.status.INVALID_ARGUMENT, `for ${garbage.toString('hex')}: ${error.details}`);
      assert.match(error.details, /malformed request/);
    }
    assert.equal(fixture.service.calls.length, before);
    await stillServing();
  });

  test(`[${transport}] garbage bytes on a server-streaming method: INVALID_ARGUMENT`, async () => {
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      const stream = fixture.client.makeServerStreamRequest(
        '/test.v1.EchoService/CountUp',
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        Buffer.from('not json'),
      );
      stream.on('data', () => assert.fail('no item expected'));
      stream.on('error', resolve);
    });
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
  });

  test(`[${transport}] garbage bytes inside a client stream: INVALID_ARGUMENT surfaces through the handler`, async () => {
    const error = await new Promise<grpc.ServiceError>((resolve, reject) => {
      const call = fixture.client.makeClientStreamRequest(
        '/test.v1.EchoService/Collect',
        (bytes: Buffer) => bytes,
        (bytes: Buffer) => bytes,
        (err, value) => (err ? resolve(err) : reject(new Error(`unexpected success ${String(value)}`))),
      );
      call.write(Buffer.from('{"text":"fine"}'));
      call.write(Buffer.from('{broken'));
      call.end();
    });
    assert.equal(error.code, grpc.status.INVALID_ARGUMENT);
    await stillServing();
  });

  test(`[${transport}] a message over [server] max_receive_message_bytes: RESOURCE_EXHAUSTED, the server keeps serving`, async () => {
    const error = await rejection(unary(fixture.client, 'echo', { text: 'x'.repeat(MAX_RECEIVE * 2) }));
    assert.equal(error.code, grpc.status.RESOURCE_EXHAUSTED);
    await stillServing();
  });

  test(`[${transport}] an unknown method: UNIMPLEMENTED, the server keeps serving`, async () => {
    const error = await rejection(rawBytesCall(fixture.client, '/test.v1.EchoService/NoSuchMethod', Buffer.from('{}')));
    assert.equal(error.code, grpc.status.UNIMPLEMENTED);
    const unknownService = await rejection(rawBytesCall(fixture.client, '/nope.v1.Nope/Echo', Buffer.from('{}')));
    assert.equal(unknownService.code, grpc.status.UNIMPLEMENTED);
    await stillServing();
  });

  test(`[${transport}] a client-streaming TuskError keeps its code`, async () => {
    const error = await new Promise<grpc.ServiceError>((resolve, reject) => {
      const call = fixture.client.collect((err: grpc.ServiceError | null, value: EchoResponse) =>
        err ? resolve(err) : reject(new Error(`unexpected ${value.text}`)),
      );
      call.write({ text: 'a' });
      call.write({ text: 'b', fail: grpc.status.OUT_OF_RANGE });
      call.end();
    });
    assert.equal(error.code, grpc.status.OUT_OF_RANGE);
    assert.equal(error.details, 'collect failed on purpose');
  });
}
