// Issue 9: the [server] connection limits, seen by real HTTP/2 clients: max_concurrent_streams in the SETTINGS
// frame, max_connection_idle closing an idle connection, and keepalive.min_client_ping_interval. A client that pings more often than that is sent
// GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (the signal grpc clients answer by pinging less), after the two strikes
// grpc-core and grpc-go forgive; a client within the interval is left alone. Real HTTP/2 clients, so the pings are
// real PING frames.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { grpcFrame } from '../../helpers/server-h2-client.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';

const MIN_INTERVAL_MS = 300;
let fixture: EchoServerFixture;
/** Same service, short idle limit: kept apart so the ping tests' connections never go idle-closed. */
let idleFixture: EchoServerFixture;
before(async () => {
  fixture = await startEchoServer({}, { server: { keepalive: { min_client_ping_interval: `${MIN_INTERVAL_MS}ms` } } });
  idleFixture = await startEchoServer({}, { server: { max_concurrent_streams: 7, max_connection_idle: '1s' } });
});
after(async () => {
  await fixture.close();
  await idleFixture.close();
});

interface Goaway {
  readonly code: number;
  readonly data: string;
}

async function connect(address = fixture.address): Promise<{ session: http2.ClientHttp2Session; goaways: Goaway[]; ping(): Promise<void> }> {
  const session = http2.connect(`http://${address}`);
  const goaways: Goaway[] = [];
  session.on('error', () => undefined);
  session.on('goaway', (code, _lastStreamId, data) => goaways.push({ code, data: data?.toString() ?? '' }));
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const ping = () => new Promise<void>((resolve) => session.ping((error) => (error ? resolve() : resolve())));
  return { session, goaways, ping };
}

/** One Echo call on this very connection; resolves with its grpc-status. */
function echoOn(session: http2.ClientHttp2Session, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/test.v1.EchoService/Echo', 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', reject);
    stream.on('trailers', (trailers) => resolve(String(trailers['grpc-status'])));
    stream.on('data', () => undefined);
    stream.end(grpcFrame(Buffer.from(JSON.stringify({ text }))));
  });
}

test('pings far more often than min_client_ping_interval: GOAWAY ENHANCE_YOUR_CALM "too_many_pings"', async () => {
  const { session, goaways, ping } = await connect();
  try {
    for (let index = 0; index < 5 && goaways.length === 0 && !session.destroyed; index++) await ping();
    await waitUntil(() => goaways.length > 0, 5_000, 'a GOAWAY');
    assert.deepEqual(goaways[0], { code: http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, data: 'too_many_pings' });
    // Only that connection is affected: the server serves on.
    assert.equal((await unary(fixture.client, 'echo', { text: 'still serving' })).response.text, 'still serving');
  } finally {
    session.destroy();
  }
});

test('pings spaced more than min_client_ping_interval apart are answered, the connection stays', async () => {
  const { session, goaways, ping } = await connect();
  try {
    for (let index = 0; index < 4; index++) {
      await ping();
      await new Promise((resolve) => setTimeout(resolve, MIN_INTERVAL_MS + 100));
    }
    await ping();
    // The server handles frames in order, so a call answered after the last ping proves no GOAWAY came for them.
    assert.equal(await echoOn(session, 'after the pings'), '0');
    assert.deepEqual(goaways, []);
  } finally {
    session.destroy();
  }
});

test('max_concurrent_streams is the SETTINGS limit; a connection idle for max_connection_idle gets a GOAWAY', async () => {
  const session = http2.connect(`http://${idleFixture.address}`);
  const goaways: Goaway[] = [];
  session.on('error', () => undefined);
  session.on('goaway', (code) => goaways.push({ code, data: '' }));
  try {
    const settings = await new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
    assert.equal(settings.maxConcurrentStreams, 7);
    assert.equal(await echoOn(session, 'then idle'), '0');
    await waitUntil(() => goaways.length > 0, 10_000, 'the idle connection to be closed');
    assert.equal(goaways[0]!.code, http2.constants.NGHTTP2_NO_ERROR);
  } finally {
    session.destroy();
  }
});
