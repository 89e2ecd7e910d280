// Issue 9: the [server] connection limits, seen by real HTTP/2 clients: max_concurrent_streams in the SETTINGS
// frame, max_connection_idle closing an idle connection, and keepalive.min_client_ping_interval. A client that pings more often than that is sent
// GOAWAY ENHANCE_YOUR_CALM "too_many_pings" (the signal grpc clients answer by pinging less), after the two strikes
// grpc-core and grpc-go forgive; a client within the interval is left alone. Real HTTP/2 clients, so the pings are
// real PING frames. max_connection_age sends GOAWAY "max_age" (±10 % jitter), lets open calls finish within the
// grace (shutdown_grace), then destroys the connection. Every test runs on both server transports, side by side.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { grpcFrame } from '../../helpers/server-h2-client.js';
import { startEchoServer, type EchoServerFixture } from '../../helpers/server-test-server.js';
import { unary } from '../../helpers/server-raw-client.js';
import { waitUntil } from '../../helpers/wait.js';

const MIN_INTERVAL_MS = 300;
const transports = ['grpc-js', 'http2'] as const;

interface Goaway {
  readonly code: number;
  readonly data: string;
}

/** A raw HTTP/2 connection that records the GOAWAYs it gets. */
function openSession(address: string) {
  const session = http2.connect(`http://${address}`);
  const goaways: Goaway[] = [];
  session.on('error', () => undefined);
  session.on('goaway', (code, _lastStreamId, data) => goaways.push({ code, data: data?.toString() ?? '' }));
  const settings = new Promise<http2.Settings>((resolve) => session.once('remoteSettings', resolve));
  return { session, goaways, settings };
}

async function connect(address: string): Promise<{ session: http2.ClientHttp2Session; goaways: Goaway[]; ping(): Promise<void> }> {
  const { session, goaways } = openSession(address);
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const ping = () => new Promise<void>((resolve) => session.ping((error) => (error ? resolve() : resolve())));
  return { session, goaways, ping };
}

/** One Echo call on this very connection; resolves with its grpc-status, rejects when the stream ends without one. */
function echoOn(session: http2.ClientHttp2Session, text: string, delayMs = 0): Promise<string> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/test.v1.EchoService/Echo', 'content-type': 'application/grpc', te: 'trailers' });
    stream.on('error', reject);
    stream.on('trailers', (trailers) => resolve(String(trailers['grpc-status'])));
    stream.on('close', () => reject(new Error('stream closed without a status')));
    stream.on('data', () => undefined);
    stream.end(grpcFrame(Buffer.from(JSON.stringify({ text, delayMs }))));
  });
}

// The transports side by side (each one's tests in order): the file takes as long as one of them.
describe('connection limits', { concurrency: true }, () => {
  for (const transport of transports) {
    describe(`on the ${transport} transport`, () => {
    let fixture: EchoServerFixture;
    /** Same service, short idle limit: kept apart so the ping tests' connections never go idle-closed. */
    let idleFixture: EchoServerFixture;
    let ageFixture: EchoServerFixture;
    before(async () => {
      [fixture, idleFixture, ageFixture] = await Promise.all([
        startEchoServer({}, { server: { transport, keepalive: { min_client_ping_interval: `${MIN_INTERVAL_MS}ms` } } }),
        startEchoServer({}, { server: { transport, max_concurrent_streams: 7, max_connection_idle: '1s' } }),
        startEchoServer({}, { server: { transport, max_connection_age: '1s', shutdown_grace: '1s' } }),
      ]);
    });
    after(() => Promise.all([fixture.close(), idleFixture.close(), ageFixture.close()]));

    test('pings far more often than min_client_ping_interval: GOAWAY ENHANCE_YOUR_CALM "too_many_pings"', async () => {
      const { session, goaways, ping } = await connect(fixture.address);
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
      const { session, goaways, ping } = await connect(fixture.address);
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

    test('max_concurrent_streams is the SETTINGS limit; a connection without calls for max_connection_idle gets a GOAWAY', async () => {
      const { session, goaways, settings } = openSession(idleFixture.address);
      try {
        assert.equal((await settings).maxConcurrentStreams, 7);
        // A call running for longer than the idle limit: the connection is not idle meanwhile.
        assert.equal(await echoOn(session, 'busy, then idle', 1_400), '0');
        assert.equal(goaways.length, 0, 'no GOAWAY while a call ran');
        await waitUntil(() => goaways.length > 0, 10_000, 'the idle connection to be closed');
        assert.equal(goaways[0]!.code, http2.constants.NGHTTP2_NO_ERROR);
      } finally {
        session.destroy();
      }
    });

    test('max_connection_age: GOAWAY "max_age" about then, a call in flight still finishes, the rest is cut after the grace', async () => {
      const { session, goaways } = openSession(ageFixture.address);
      const opened = Date.now();
      const closed = new Promise<number>((resolve) => session.once('close', () => resolve(Date.now() - opened)));
      try {
        // Answered ~1.3 s in: after the GOAWAY (0.9-1.1 s), before the grace runs out (1 s after it).
        const inFlight = echoOn(session, 'in flight', 1_300);
        // Never answers by itself: ended by the grace.
        const outlasting = echoOn(session, 'wait-abort').catch(() => 'cut');
        assert.equal(await inFlight, '0');
        assert.equal(goaways[0]?.code, http2.constants.NGHTTP2_NO_ERROR);
        assert.equal(goaways[0]?.data, 'max_age');
        assert.equal(await outlasting, 'cut');
        const closedAfterMs = await closed;
        assert.ok(closedAfterMs >= 1_800 && closedAfterMs < 4_000, `destroyed after age + grace (${closedAfterMs} ms)`);
      } finally {
        session.destroy();
      }
    });
    });
  }
});
