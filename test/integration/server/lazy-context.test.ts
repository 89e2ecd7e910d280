// The runtime builds parts of a call's context only when a handler asks for
// them (ctx.signal's AbortController, ctx.metadata, ctx.logger). These tests
// pin down that asking late still gives the right answer.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { StaticRegistry } from '../../../src/discovery/static-registry.js';
import { TuskServer } from '../../../src/server/tusk-server.js';
import type { CallContext } from '../../../src/server/call-context.js';
import type { ServerCallOutcome } from '../../../src/server/server-hooks.js';
import { Code } from '../../../src/status/codes.js';
import { EchoServiceBase, type EchoRequest, type EchoResponse } from '../../helpers/echo-service.js';
import { captureLogger, type LogLine } from '../../helpers/server-test-server.js';
import { rawEchoClient, unary, waitFor, type RawEchoClient } from '../../helpers/server-raw-client.js';

interface LateRead {
  aborted?: boolean;
  reasonCode?: number;
}

/** echo: waits until the test releases it, then reads ctx.signal for the first time. */
class LateReadingService extends EchoServiceBase {
  started = 0;
  release: (() => void) | undefined;
  readonly lateReads: LateRead[] = [];
  readonly contexts: CallContext[] = [];

  async echo(request: EchoRequest, ctx: CallContext): Promise<EchoResponse> {
    this.contexts.push(ctx);
    if (request.text === 'wait') {
      const read: LateRead = {};
      this.lateReads.push(read);
      this.started += 1;
      await new Promise<void>((resolve) => (this.release = resolve));
      read.aborted = ctx.signal.aborted;
      read.reasonCode = (ctx.signal.reason as { code?: number } | undefined)?.code;
    }
    return { text: request.text, instance: 'late' };
  }
  async create(request: EchoRequest): Promise<EchoResponse> {
    return { text: request.text, instance: 'late' };
  }
  async *countUp(): AsyncIterable<EchoResponse> {}
  async collect(): Promise<EchoResponse> {
    return { text: '', instance: 'late' };
  }
  async *chat(): AsyncIterable<EchoResponse> {}
}

const service = new LateReadingService();
const outcomes: ServerCallOutcome[] = [];
const logs: LogLine[] = [];
let server: TuskServer;
let client: RawEchoClient;

before(async () => {
  server = new TuskServer({
    host: '127.0.0.1',
    port: 0,
    registry: new StaticRegistry([]),
    handleSignals: false,
    logger: captureLogger(logs),
    metrics: { onCallStart: () => (outcome) => void outcomes.push(outcome) },
  });
  server.add(service);
  await server.start();
  client = rawEchoClient(`127.0.0.1:${server.port}`);
});
after(async () => {
  client.close();
  await server.stop();
});

test('a handler that first reads ctx.signal after the client cancelled finds it aborted with CANCELLED', async () => {
  let call: grpc.ClientUnaryCall | undefined;
  const ended = outcomes.length;
  const result = unary(client, 'echo', { text: 'wait' }, { onCall: (c) => (call = c) });
  await waitFor(() => service.started === 1, 'the handler to start');
  call!.cancel();
  await assert.rejects(result, (error: grpc.ServiceError) => error.code === grpc.status.CANCELLED);
  // The server has seen the call end (the chain reports it when grpc-js cancels the call).
  await waitFor(() => outcomes.length > ended, 'the server to see the cancel');
  assert.equal(outcomes.at(-1)!.code, Code.CANCELLED);
  service.release!();
  const read = service.lateReads[0]!;
  await waitFor(() => read.aborted !== undefined, 'the handler to read ctx.signal');
  assert.equal(read.aborted, true);
  assert.equal(read.reasonCode, Code.CANCELLED);
});

test('ctx.metadata, ctx.logger and ctx.peer built on first use carry the call', async () => {
  const metadata = new grpc.Metadata();
  metadata.set('x-request-id', 'req-lazy-1');
  metadata.set('x-tenant', 'acme');
  metadata.set('blob-bin', Buffer.from([1, 2, 3]));
  const { response, headers } = await unary(client, 'echo', { text: 'hi' }, { metadata });
  assert.equal(response.text, 'hi');
  assert.deepEqual(headers.get('x-request-id'), ['req-lazy-1']);
  const ctx = service.contexts.at(-1)!;
  assert.equal(ctx.requestId, 'req-lazy-1');
  assert.equal(ctx.metadata['x-tenant'], 'acme');
  assert.equal(ctx.metadata['blob-bin'], Buffer.from([1, 2, 3]).toString('base64'));
  assert.match(ctx.peer, /^127\.0\.0\.1:\d+$/);
  assert.equal(ctx.signal.aborted, false, 'a signal first read after a normal finish does not abort');
  ctx.logger.info('after the call');
  const line = logs.find((entry) => entry.msg === 'after the call');
  assert.equal(line?.request_id, 'req-lazy-1');
  assert.equal(line?.method, 'Echo');
  assert.equal(line?.service, 'test.v1.EchoService');
});
