// The lean server answering before the caller has finished sending: the status,
// then RST_STREAM(NO_ERROR) so the caller stops sending (gRPC over HTTP/2),
// both for a trailers-only error and for trailers after response messages.
// (A stream the caller never ends would otherwise stay open.)
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { after, before, test } from 'node:test';
import { grpcFrame } from '../../helpers/server-h2-client.js';
import { startLeanServer, type LeanServerFixture } from './lean-server-fixture.js';

let fixture: LeanServerFixture;
let session: http2.ClientHttp2Session;
before(async () => {
  fixture = await startLeanServer();
  session = http2.connect(`http://${fixture.address}`);
  session.on('error', () => undefined);
});
after(async () => {
  session.destroy();
  await fixture.close();
});

interface Ending {
  readonly status: string | undefined;
  readonly messages: number;
  readonly rstCode: number;
}

/** Starts a call, sends `messages`, ends the request side only when `halfClose`; resolves once the stream closed. */
function call(path: string, messages: readonly object[], options: { halfClose: boolean; timeout?: string }): Promise<Ending> {
  const stream = session.request({
    ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
    ...(options.timeout ? { 'grpc-timeout': options.timeout } : {}),
  });
  stream.on('error', () => undefined);
  let status: string | undefined;
  let received = 0;
  stream.on('response', (headers) => (status ??= headers['grpc-status'] as string | undefined));
  stream.on('trailers', (trailers) => (status = trailers['grpc-status'] as string | undefined));
  stream.on('data', () => void received++);
  for (const message of messages) stream.write(grpcFrame(Buffer.from(JSON.stringify(message))));
  if (options.halfClose) stream.end();
  return new Promise((resolve, reject) => {
    // Without the server's RST_STREAM a stream the caller never ends stays open: fail, not hang.
    const timer = setTimeout(() => reject(new Error('the stream is still open')), 3_000);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve({ status, messages: received, rstCode: stream.rstCode ?? -1 });
    });
  });
}

test('an error while the caller still sends: trailers-only status, then RST_STREAM(NO_ERROR)', async () => {
  const ending = await call('/test.v1.EchoService/Collect', [{ text: 'a', fail: 3 }], { halfClose: false });
  assert.deepEqual(ending, { status: '3', messages: 0, rstCode: http2.constants.NGHTTP2_NO_ERROR });
});

test('a status after response messages while the caller still sends: the messages and trailers arrive, then RST_STREAM(NO_ERROR)', async () => {
  // The bidi handler echoes, then the call's 300 ms deadline passes with the request side still open.
  const ending = await call('/test.v1.EchoService/Chat', [{ text: 'hi' }], { halfClose: false, timeout: '300m' });
  assert.equal(ending.status, '4');
  assert.ok(ending.messages >= 1, 'the echoed message arrived before the trailers');
  assert.equal(ending.rstCode, http2.constants.NGHTTP2_NO_ERROR);
});

test('a caller that finished sending gets its status as before; the connection serves on', async () => {
  assert.deepEqual(await call('/test.v1.EchoService/Collect', [{ text: 'a' }, { text: 'b' }], { halfClose: true }), { status: '0', messages: 1, rstCode: http2.constants.NGHTTP2_NO_ERROR });
  assert.equal((await call('/test.v1.EchoService/Echo', [{ text: 'c' }], { halfClose: true })).status, '0');
});
