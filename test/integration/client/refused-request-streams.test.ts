// A request stream refused by the server (REFUSED_STREAM: never processed) after
// the client began reading the caller's messages cannot be replayed: the caller
// gets the refusal itself (UNAVAILABLE), not a made-up FAILED_PRECONDITION; a
// call retried after a refusal reports only the answering attempt's metadata.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import { Code, TuskError } from '../../../src/status/index.js';
import type { EchoRequest } from '../../helpers/echo-service.js';
import { responseTexts, withEchoClient } from '../../helpers/echo-streams.js';
import { startEchoServer } from './echo-grpc-server.js';

let refuser: http2.Http2Server;
let address: string;

before(async () => {
  // An HTTP/2 server that refuses every stream, as a server past its GOAWAY does.
  refuser = http2.createServer();
  refuser.on('stream', (stream) => {
    stream.on('error', () => {}); // the refusal itself, as seen by the server's side
    stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
  });
  await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(refuser.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => refuser.close(() => resolve())));

test('a refused client or bidi stream whose requests were already read fails with the refusal, UNAVAILABLE', async () => {
  let read = 0;
  async function* requests(): AsyncIterable<EchoRequest> {
    read++;
    yield { text: 'a' };
    yield { text: 'b' };
  }
  const isRefusal = (error: unknown) => error instanceof TuskError && error.code === Code.UNAVAILABLE && /refused/.test(error.message);
  await withEchoClient({ endpoints: [address], retry: { maxAttempts: 3, initialDelayMs: 1 }, circuitBreaker: { threshold: 1_000 } }, async (client) => {
    await assert.rejects(client.collect(requests()), isRefusal);
    await assert.rejects(responseTexts(client.chat(requests())), isRefusal);
  });
  assert.equal(read, 2, 'each request stream was read by the first attempt only');
});

test("a call retried after a refusal reports only the answering attempt's header and trailer, once", async () => {
  const live = await startEchoServer();
  try {
    await withEchoClient({ endpoints: [address, live.address], balancer: 'round_robin', circuitBreaker: { threshold: 1_000 } }, async (client) => {
      for (let i = 0; i < 4; i++) {
        const headers: Array<Readonly<Record<string, string>>> = [];
        const trailers: Array<Readonly<Record<string, string>>> = [];
        const reply = await client.echo({ text: `call ${i}` }, { onHeader: (header) => headers.push(header), onTrailer: (trailer) => trailers.push(trailer) });
        assert.equal(reply.text, `call ${i}`);
        assert.equal(headers.length, 1, `call ${i}: one header report`);
        assert.equal(trailers.length, 1, `call ${i}: one trailer report, not one per attempt`);
      }
    });
  } finally {
    await live.stop();
  }
});
