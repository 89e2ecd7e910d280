// The request id a server echoes is new on every call: on both transports it
// goes out as a never-indexed HPACK literal, so it never evicts the headers
// every later response names from the table (src/wire/never-indexed.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { grpcFrame } from '../../helpers/server-h2-client.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';

function echoHeaders(session: http2.ClientHttp2Session): Promise<http2.IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/test.v1.EchoService/Echo', 'content-type': 'application/grpc', te: 'trailers' });
    let headers: http2.IncomingHttpHeaders | undefined;
    stream.on('response', (received) => (headers = received));
    stream.on('data', () => undefined);
    stream.on('error', reject);
    stream.on('close', () => (headers ? resolve(headers) : reject(new Error('no response headers'))));
    stream.end(grpcFrame(Buffer.from(JSON.stringify({ text: 'hpack' }))));
  });
}

describe('the echoed request id', { concurrency: true }, () => {
  for (const transport of ['grpc-js', 'http2'] as const) {
    describe(`on the ${transport} transport`, () => {
      let fixture: EchoServerFixture;
      let session: http2.ClientHttp2Session;
      before(async () => {
        fixture = await startEchoServer({}, { server: { transport } });
        session = http2.connect(`http://${fixture.address}`);
        session.on('error', () => undefined);
      });
      after(async () => {
        session.close();
        await fixture.close();
      });

      test('is a never-indexed literal in the response headers', async () => {
        const headers = await echoHeaders(session);
        assert.match(String(headers['x-request-id']), /^[0-9a-f-]{36}$/);
        assert.deepEqual((headers as Record<symbol, unknown>)[http2.sensitiveHeaders], ['x-request-id']);
      });
    });
  }
});
