// A streaming call is tracked by the pipeline for its whole life, not up to its first message.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { clientEndpoints, closeClient, createClient, setClientTraceHook, type ClientCallTrace } from '../../../src/client/index.js';
import { Code, TuskError } from '../../../src/status/index.js';
import { echoDescriptor, type EchoRequest, type EchoServiceClient } from '../../helpers/echo-service.js';
import { onClientTransport, TRANSPORTS } from '../../helpers/transports.js';
import { twoEchoServersPerFile } from './echo-grpc-server.js';
import { waitUntil } from '../../helpers/wait.js';

const servers = twoEchoServersPerFile();
after(() => setClientTraceHook(undefined));

/** Records the pipeline's view of each call: attempts and the call's end, in order with what the test logs. */
function recordingHook(log: string[]): void {
  setClientTraceHook({
    startCall(info) {
      const trace: ClientCallTrace = {
        startAttempt: (attempt) => (error) => log.push(`attempt ${attempt} end ${error === undefined ? 'ok' : (error as TuskError).code}`),
        event: () => {},
        end: (error) => log.push(`${info.method} end ${error === undefined ? 'ok' : (error as TuskError).code}`),
      };
      return trace;
    },
  });
}

for (const transport of TRANSPORTS) {
  test(`[${transport}] a stream's span and duration end when the stream ends, not at its first message`, async () => {
    const log: string[] = [];
    recordingHook(log);
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address] });
    try {
      for await (const message of client.countUp({ text: '10', delayMs: 20 })) log.push(`message ${message.text}`);
      const messages = Array.from({ length: 10 }, (_, i) => `message ${i + 1}`);
      assert.deepEqual(log, [...messages, 'attempt 1 end ok', 'CountUp end ok']);
      log.length = 0;
      const replies: string[] = [];
      async function* two(): AsyncIterable<EchoRequest> {
        yield { text: 'a' };
        yield { text: 'b' };
      }
      for await (const message of client.chat(two())) {
        replies.push(message.text);
        log.push(`reply ${message.text}`);
      }
      assert.deepEqual(log, ['reply re:a', 'reply re:b', 'attempt 1 end ok', 'Chat end ok']);
    } finally {
      setClientTraceHook(undefined);
      await closeClient(client);
    }
  });

  test(`[${transport}] an open stream holds its bulkhead slot until it ends; a consumer that stops early gives it back`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address], bulkhead: { maxConcurrent: 1, queue: 0 } });
    try {
      const open = client.countUp({ text: '3', delayMs: 50 })[Symbol.asyncIterator]();
      assert.equal((await open.next()).value.text, '1');
      await assert.rejects(client.countUp({ text: '1' })[Symbol.asyncIterator]().next(), (error: unknown) => error instanceof TuskError && error.code === Code.RESOURCE_EXHAUSTED);
      await assert.rejects(client.echo({ text: 'x' }), (error: unknown) => error instanceof TuskError && error.code === Code.RESOURCE_EXHAUSTED);
      while (!(await open.next()).done);
      assert.equal((await client.echo({ text: 'after' })).text, 'after');
      for await (const message of client.countUp({ text: '100', delayMs: 10 })) if (message.text === '2') break;
      assert.equal((await client.echo({ text: 'after early stop' })).text, 'after early stop');
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] an open stream counts as in flight for the balancer until it ends`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address, servers.second.address], balancer: 'least_request' });
    try {
      const open = client.countUp({ text: '2', delayMs: 5_000 })[Symbol.asyncIterator]();
      const busy = (await open.next()).value.instance as string;
      for (let i = 0; i < 20; i++) assert.notEqual((await client.echo({ text: `${i}` })).instance, busy, `call ${i} went to the endpoint with the open stream`);
      await open.return?.();
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] an error in the middle of a stream reaches the endpoint breaker and the call outcome`, async () => {
    const log: string[] = [];
    recordingHook(log);
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address], circuitBreaker: { threshold: 2 } });
    try {
      for (let i = 0; i < 2; i++) {
        const seen: string[] = [];
        await assert.rejects(async () => {
          for await (const message of client.countUp({ text: '5', fail: Code.UNAVAILABLE, failAfter: 2 })) seen.push(message.text);
        }, (error: unknown) => error instanceof TuskError && error.code === Code.UNAVAILABLE);
        assert.deepEqual(seen, ['1', '2']);
      }
      assert.deepEqual(log, ['attempt 1 end 14', 'CountUp end 14', 'attempt 1 end 14', 'CountUp end 14']);
      assert.deepEqual(clientEndpoints(client).map((endpoint) => endpoint.usable), [false], 'two broken streams opened the circuit');
    } finally {
      setClientTraceHook(undefined);
      await closeClient(client);
    }
  });

  test(`[${transport}] a business error in the middle of a stream does not count against the endpoint`, async () => {
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address], circuitBreaker: { threshold: 1 } });
    try {
      await assert.rejects(async () => {
        for await (const _ of client.countUp({ text: '5', fail: Code.FAILED_PRECONDITION, failAfter: 1 }));
      }, (error: unknown) => error instanceof TuskError && error.code === Code.FAILED_PRECONDITION);
      assert.deepEqual(clientEndpoints(client).map((endpoint) => endpoint.usable), [true]);
    } finally {
      await closeClient(client);
    }
  });

  test(`[${transport}] a stream its consumer abandoned (read one message, never closed it) ends once its deadline ended it on the wire`, async () => {
    const log: string[] = [];
    recordingHook(log);
    const client = createClient<EchoServiceClient>(echoDescriptor(onClientTransport(transport)), { endpoints: [servers.first.address], bulkhead: { maxConcurrent: 1, queue: 0 } });
    try {
      // The "take the first message" idiom: next() once, the iterator dropped.
      const abandoned = client.countUp({ text: '1000', delayMs: 2 }, { timeout: 300 })[Symbol.asyncIterator]();
      assert.equal((await abandoned.next()).value.text, '1');
      await waitUntil(() => log.includes('CountUp end 4'), 5_000, () => `the abandoned stream to end DEADLINE_EXCEEDED (${log.join(', ')})`);
      assert.equal((await client.echo({ text: 'slot given back' })).text, 'slot given back');
    } finally {
      setClientTraceHook(undefined);
      await closeClient(client);
    }
  });
}
