import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';
import type { ServerCallInfo, ServerCallOutcome } from '../../../src/server/server-hooks.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { onServerTransport, TRANSPORTS } from '../../helpers/transports.js';

function authorized(): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', 'Bearer good');
  return metadata;
}

for (const transport of TRANSPORTS) {
  const metricsSeen: Array<{ call: ServerCallInfo; outcome?: ServerCallOutcome }> = [];
  const traceStarts: string[] = [];
  const userInterceptorPaths: string[] = [];

  let fixture: EchoServerFixture;
  before(async () => {
    fixture = await startEchoServer({
      metrics: {
        onCallStart: (call) => {
          const entry: { call: ServerCallInfo; outcome?: ServerCallOutcome } = { call };
          metricsSeen.push(entry);
          return (outcome) => {
            entry.outcome = outcome;
          };
        },
      },
      trace: { onCallStart: (call) => void traceStarts.push(call.metadata.traceparent ?? 'none') },
      auth: async (call) => {
        if (call.metadata.authorization !== 'Bearer good') throw new TuskError(Code.UNAUTHENTICATED, 'missing or bad token');
      },
      interceptors: [
        (method, call) => {
          userInterceptorPaths.push(method.path);
          return new grpc.ServerInterceptingCall(call);
        },
      ],
    }, onServerTransport(transport));
  });
  after(async () => {
    await fixture.close();
  });

  test(`[${transport}] the auth slot refuses a call with its TuskError before the handler runs; the refusal is still observed`, async () => {
    const handled = fixture.service.calls.length;
    await assert.rejects(unary(fixture.client, 'echo', { text: 'x' }), (error: grpc.ServiceError) => {
      return error.code === grpc.status.UNAUTHENTICATED && error.details === 'missing or bad token';
    });
    assert.equal(fixture.service.calls.length, handled, 'the handler never ran');
    const observed = metricsSeen.at(-1)!;
    assert.equal(observed.call.method, 'Echo');
    assert.equal(observed.outcome?.code, Code.UNAUTHENTICATED);
    const logged = fixture.logs.find((line) => line.msg === 'call failed' && line.status === 'UNAUTHENTICATED' && line.code === Code.UNAUTHENTICATED);
    assert.ok(logged, 'the access log records the refusal');
  });

  test(`[${transport}] metrics and trace hooks see every call with its outcome; user interceptors run after the built-in chain`, async () => {
    const metadata = authorized();
    metadata.set('traceparent', '00-11111111111111111111111111111111-2222222222222222-01');
    const { response } = await unary(fixture.client, 'echo', { text: 'ok' }, { metadata });
    assert.equal(response.text, 'ok');
    const observed = metricsSeen.at(-1)!;
    assert.equal(observed.call.service, 'test.v1.EchoService');
    assert.equal(observed.call.path, '/test.v1.EchoService/Echo');
    assert.equal(observed.call.requestId, fixture.service.calls.at(-1)!.ctx.requestId);
    assert.equal(observed.outcome?.code, Code.OK);
    assert.ok(observed.outcome!.durationMs >= 0);
    assert.equal(traceStarts.at(-1), '00-11111111111111111111111111111111-2222222222222222-01');
    assert.ok(userInterceptorPaths.includes('/test.v1.EchoService/Echo'));

    await assert.rejects(unary(fixture.client, 'echo', { text: 'x', fail: grpc.status.NOT_FOUND }, { metadata: authorized() }));
    assert.equal(metricsSeen.at(-1)!.outcome?.code, Code.NOT_FOUND);
  });

  test(`[${transport}] a deadline that passes in the handler is observed as DEADLINE_EXCEEDED`, async () => {
    await assert.rejects(
      unary(fixture.client, 'echo', { text: 'wait-abort' }, { metadata: authorized(), deadline: Date.now() + 200 }),
      (error: grpc.ServiceError) => error.code === grpc.status.DEADLINE_EXCEEDED,
    );
    const deadline = Date.now() + 5_000;
    while (metricsSeen.at(-1)!.outcome === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(metricsSeen.at(-1)!.outcome?.code, Code.DEADLINE_EXCEEDED);
  });
}
