// Issue 9: the [server] send limit and the [client] size limits. An oversized message fails its own call with
// RESOURCE_EXHAUSTED; the server and the client's connection keep working. (The [server] receive limit has its
// test in test/integration/server/errors-and-bad-input.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { closeClient, createClient } from '../../../src/client/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoServiceClient } from '../../helpers/echo-service.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';

let fixture: EchoServerFixture;
before(async () => {
  fixture = await startEchoServer({}, { server: { max_receive_message_bytes: 4096, max_send_message_bytes: 1024 } });
});
after(() => fixture.close());

const isResourceExhausted = (error: unknown) => error instanceof TuskError && error.code === Code.RESOURCE_EXHAUSTED;

test('a response over [server] max_send_message_bytes: RESOURCE_EXHAUSTED for that call only', async () => {
  await assert.rejects(unary(fixture.client, 'echo', { text: 'x'.repeat(2_000) }), (error: grpc.ServiceError) => error.code === grpc.status.RESOURCE_EXHAUSTED);
  assert.equal((await unary(fixture.client, 'echo', { text: 'small' })).response.text, 'small');
});

test('[client] max_send_message_bytes and max_receive_message_bytes fail the oversized call, the next one works', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor({ client: { max_send_message_bytes: 300, max_receive_message_bytes: 200 } }), {
    endpoints: [fixture.address],
  });
  try {
    await assert.rejects(client.echo({ text: 'y'.repeat(400) }), isResourceExhausted, 'request over the send limit');
    // 250 bytes go out (under 300) and come back as more than 200.
    await assert.rejects(client.echo({ text: 'z'.repeat(250) }), isResourceExhausted, 'response over the receive limit');
    assert.equal((await client.echo({ text: 'fits' })).text, 'fits');
  } finally {
    await closeClient(client);
  }
});

test('a streamed response over [server] max_send_message_bytes: RESOURCE_EXHAUSTED, the handler is cancelled, the server serves on', async () => {
  const client = createClient<EchoServiceClient>(echoDescriptor(), { endpoints: [fixture.address] });
  try {
    const read = async (): Promise<number> => {
      let count = 0;
      for await (const _ of client.countUp({ text: 'infinite' }, { timeout: 10_000 })) count += 1;
      return count;
    };
    await assert.rejects(read(), isResourceExhausted);
    const call = fixture.service.calls.findLast((observed) => observed.method === 'CountUp')!;
    await waitUntil(() => call.ctx.signal.aborted, 5_000, 'the stream handler\'s signal to abort');
    assert.equal((await client.echo({ text: 'small' })).text, 'small');
  } finally {
    await closeClient(client);
  }
});
