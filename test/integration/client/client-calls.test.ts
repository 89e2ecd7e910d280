import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientEndpoints, closeClient, createClient, setClientTraceHook, sharedTransportPool } from '../../../src/client/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import type { CallContext } from '../../../src/server/call-context.js';
import type { EndpointsListener, Registry } from '../../../src/discovery/types.js';
import { echoDescriptor, type EchoRequest, type EchoServiceClient } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServer } from './echo-grpc-server.js';

let server: EchoServer;
const seenRemaining: number[] = [];
const seenMetadata: Array<Record<string, unknown>> = [];

before(async () => {
  server = await startEchoServer({
    onEcho: (request, remaining, call) => {
      if (request.text.startsWith('deadline')) seenRemaining.push(remaining);
      if (request.text === 'meta') seenMetadata.push(call.metadata.getMap());
    },
  });
});
after(async () => {
  await server.stop();
});

async function* messages(...texts: string[]): AsyncIterable<EchoRequest> {
  for (const text of texts) yield { text };
}

function parentContext(overrides: Partial<CallContext>): CallContext {
  return {
    service: 'test.v1.Parent',
    method: 'Handle',
    metadata: {},
    deadline: undefined,
    signal: new AbortController().signal,
    peer: 'ipv4:127.0.0.1:1',
    trace: {},
    requestId: 'req-1',
    logger: undefined as never,
    header: undefined as never,
    trailer: undefined as never,
    ...overrides,
  };
}

test('all four RPC kinds work through the pipeline', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address] });
  try {
    assert.deepEqual(await client.echo({ text: 'hi' }), { text: 'hi', instance: server.address });
    const counted: string[] = [];
    for await (const message of client.countUp({ text: '3' })) counted.push(message.text);
    assert.deepEqual(counted, ['1', '2', '3']);
    assert.equal((await client.collect(messages('a', 'b', 'c'))).text, 'a,b,c');
    const replies: string[] = [];
    for await (const message of client.chat(messages('x', 'y'))) replies.push(message.text);
    assert.deepEqual(replies, ['re:x', 're:y']);
  } finally {
    await closeClient(client);
  }
});

test('a failed call rejects with TuskError carrying the server code, message and the details of its google.rpc.Status', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address] });
  try {
    await assert.rejects(client.echo({ text: 'boom', fail: Code.NOT_FOUND }), (error: unknown) => {
      assert.ok(error instanceof TuskError);
      assert.equal(error.code, Code.NOT_FOUND);
      assert.equal(error.message, 'failed on request: boom');
      assert.deepEqual(error.details, {
        fieldViolations: [{ field: 'text', description: 'asked to fail' }],
        other: [{ typeUrl: 'type.googleapis.com/acme.v1.Custom', value: Uint8Array.from([8, 7]) }],
      });
      return true;
    });
    const stream = client.countUp({ text: '1', fail: Code.PERMISSION_DENIED });
    await assert.rejects(async () => {
      for await (const _ of stream) assert.fail('no message expected');
    }, (error: unknown) => error instanceof TuskError && error.code === Code.PERMISSION_DENIED);
  } finally {
    await closeClient(client);
  }
});

test('a response the codec cannot read rejects with INTERNAL, and the call and its attempt end with INTERNAL', async () => {
  const ends: string[] = [];
  setClientTraceHook({
    startCall: () => ({
      startAttempt: () => (error) => ends.push(`attempt ${error === undefined ? 'ok' : (error as TuskError).codeName}`),
      event: () => {},
      end: (error) => ends.push(`call ${error === undefined ? 'ok' : (error as TuskError).codeName}`),
    }),
  });
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address] });
  try {
    await assert.rejects(client.echo({ text: 'undecodable' }), (error: unknown) => error instanceof TuskError && error.code === Code.INTERNAL && /could not decode/.test(error.message));
    assert.deepEqual(ends, ['attempt INTERNAL', 'call INTERNAL'], 'metrics and spans report what the caller got');
  } finally {
    setClientTraceHook(undefined);
    await closeClient(client);
  }
});

test('a request the codec cannot write rejects (never throws) with INVALID_ARGUMENT, the caller\'s mistake', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address] });
  try {
    const unwritable = { text: 'x', delayMs: 10n } as unknown as EchoRequest; // JSON cannot hold a BigInt
    const pending = client.echo(unwritable);
    await assert.rejects(pending, (error: unknown) => error instanceof TuskError && error.code === Code.INVALID_ARGUMENT && /could not encode/.test(error.message));
    await assert.rejects(async () => {
      for await (const _ of client.countUp(unwritable)) assert.fail('no message expected');
    }, /could not encode/);
  } finally {
    await closeClient(client);
  }
});

test('a parent with 100 ms left gives the child at most 100 ms, and carries trace and request id', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address], timeout: 5_000 });
  try {
    const parent = parentContext({ deadline: Date.now() + 100, trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } });
    await client.echo({ text: 'deadline-parent' }, { parent });
    assert.equal(seenRemaining.length, 1);
    assert.ok(seenRemaining[0]! <= 100, `child saw ${seenRemaining[0]} ms`);
    await client.echo({ text: 'meta' }, { parent, timeout: 1_000 });
    assert.equal(seenMetadata[0]!['x-request-id'], 'req-1');
    assert.equal(seenMetadata[0]!['traceparent'], parent.trace.traceparent);
    // The child's own shorter timeout wins over the parent's later deadline.
    await client.echo({ text: 'deadline-own' }, { parent: parentContext({ deadline: Date.now() + 10_000 }), timeout: 300 });
    assert.ok(seenRemaining[1]! <= 300, `child saw ${seenRemaining[1]} ms`);
  } finally {
    await closeClient(client);
  }
});

test('a parent that runs out of time or is cancelled ends the child call', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address], timeout: 5_000 });
  try {
    const expired = client.echo({ text: 'slow', delayMs: 2_000 }, { parent: parentContext({ deadline: Date.now() + 100 }) });
    await assert.rejects(expired, (error: unknown) => error instanceof TuskError && error.code === Code.DEADLINE_EXCEEDED);
    const controller = new AbortController();
    const started = Date.now();
    const cancelled = client.echo({ text: 'slow', delayMs: 2_000 }, { parent: parentContext({ signal: controller.signal }) });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(cancelled, (error: unknown) => error instanceof TuskError && error.code === Code.CANCELLED);
    assert.ok(Date.now() - started < 1_500, 'cancelled before the server answered');
  } finally {
    await closeClient(client);
  }
});

test('calls in flight on an endpoint that leaves the registry still finish', async () => {
  let publish: EndpointsListener = () => {};
  const registry: Registry = {
    register: () => Promise.reject(new Error('unused')),
    watch: (_service, listener) => {
      publish = listener;
      listener([{ address: server.address, metadata: {} }]);
      return () => {};
    },
    close: () => Promise.resolve(),
  };
  const client = createClient<EchoServiceClient>(echoDescriptor(), { registry });
  try {
    const inFlight = Array.from({ length: 5 }, (_, i) => client.echo({ text: `leaving-${i}`, delayMs: 300 }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    publish([]); // deregistered, e.g. a server draining before it stops
    assert.equal(sharedTransportPool.snapshot().has(server.address), false, 'transport released');
    const replies = await Promise.all(inFlight);
    assert.deepEqual(replies.map((reply) => reply.text), [0, 1, 2, 3, 4].map((i) => `leaving-${i}`));
    await assert.rejects(client.echo({ text: 'after' }), /no endpoint known .*discovery lists none/);
  } finally {
    await closeClient(client);
  }
});

test('clients of one endpoint share one transport, released when the last client closes', async () => {
  const a = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address] });
  const b = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [server.address] });
  await Promise.all([a.echo({ text: '1' }), b.echo({ text: '2' })]);
  assert.equal(sharedTransportPool.snapshot().get(server.address), 2);
  assert.deepEqual(clientEndpoints(a), [{ address: server.address, usable: true }]);
  await closeClient(a);
  assert.equal(sharedTransportPool.snapshot().get(server.address), 1);
  await closeClient(b);
  assert.equal(sharedTransportPool.snapshot().has(server.address), false);
});
