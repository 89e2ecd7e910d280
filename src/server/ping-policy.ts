// grpc-js's server does not police client pings (grpc-core and grpc-go do:
// GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, keepalive.EnforcementPolicy).
// A client pinging in a tight loop costs the server a frame and an ACK each
// time, so we enforce the same rule on the HTTP/2 sessions ourselves.
import { constants, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import type { Logger } from '../telemetry/logger-types.js';

/** grpc-core's and grpc-go's default: two pings too soon are forgiven, the third ends the connection. */
const MAX_PING_STRIKES = 2;
const TOO_MANY_PINGS = Buffer.from('too_many_pings');

/**
 * A ping sooner than `minIntervalMs` after the previous one is a strike; a
 * new call clears them. Past MAX_PING_STRIKES the session gets GOAWAY
 * ENHANCE_YOUR_CALM "too_many_pings" (grpc clients then ping less) naming
 * the last stream it accepted, so no call it took is mistaken for refused.
 */
export function enforceMinPingInterval(session: ServerHttp2Session, minIntervalMs: number): void {
  let lastPingAt = Number.NEGATIVE_INFINITY;
  let strikes = 0;
  let lastStreamId = 0;
  session.on('stream', (stream) => {
    lastStreamId = Math.max(lastStreamId, stream.id ?? 0);
    strikes = 0;
  });
  session.on('ping', () => {
    const now = performance.now();
    if (now - lastPingAt < minIntervalMs) strikes += 1;
    lastPingAt = now;
    if (strikes <= MAX_PING_STRIKES || session.closed || session.destroyed) return;
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, lastStreamId, TOO_MANY_PINGS);
    session.close();
  });
}

/**
 * Applies the policy to every connection of a bound grpc-js server. grpc-js
 * exposes neither its HTTP/2 servers nor a session hook, so this reads its
 * private `http2Servers` map (grpc-js 1.14); when that is gone it says so
 * instead of failing the start.
 */
export function policeClientPings(server: Server, minIntervalMs: number, logger: Logger): void {
  if (minIntervalMs <= 0) return;
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map)) {
    logger.warn({ min_client_ping_interval_ms: minIntervalMs }, 'this grpc-js version hides its HTTP/2 servers: keepalive.min_client_ping_interval is not enforced');
    return;
  }
  for (const http2Server of http2Servers.keys() as IterableIterator<Http2Server>) {
    http2Server.on('session', (session: ServerHttp2Session) => enforceMinPingInterval(session, minIntervalMs));
  }
}
