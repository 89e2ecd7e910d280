// The server's transports: what TuskServer binds its services through.
import type { ChannelOptions, ServerCredentials, ServerInterceptor } from '@grpc/grpc-js';
import type { Logger } from '../../telemetry/logger-types.js';
import type { ServerTls } from '../../security/tls/server-tls.js';
import { GrpcJsTransport } from './grpc-js-transport.js';
import { Http2Transport } from './http2-transport.js';
import type { ServerTransport, TransportName } from './transport.js';

export type { ServerTransport, TransportName } from './transport.js';
export { Http2Transport, type Http2TransportOptions } from './http2-transport.js';
export { GrpcJsTransport } from './grpc-js-transport.js';
export { FrameDecoder, encodeFrame, type FrameFault, type FrameSink } from '../../wire/frame-decoder.js';
export { parseGrpcTimeout } from '../../wire/grpc-timeout.js';
export { percentEncodeMessage } from '../../wire/percent-encoding.js';

export interface TransportSettings {
  readonly interceptors: readonly ServerInterceptor[];
  /** grpc-js' names for the limits (server-limits.ts): the one source of them for both transports. */
  readonly channelOptions: ChannelOptions;
  readonly credentials: ServerCredentials | undefined;
  /** The same [tls] for the lean transport: its certificate provider (rotation) and client_auth. */
  readonly tls: ServerTls | undefined;
  readonly minClientPingIntervalMs: number;
  readonly logger: Logger;
}

const GRPC_DEFAULT_MESSAGE_BYTES = 4 * 1024 * 1024;

/** `[server] transport`: "grpc-js" or "http2". */
export function createServerTransport(name: TransportName, settings: TransportSettings): ServerTransport {
  if (name === 'grpc-js') {
    return new GrpcJsTransport(settings.interceptors, settings.channelOptions, settings.credentials, settings.minClientPingIntervalMs, settings.logger);
  }
  const given = (key: string): number | undefined => {
    const value = settings.channelOptions[key] as number | undefined;
    return typeof value === 'number' && value >= 0 ? value : undefined;
  };
  const option = (key: string, fallback: number): number => given(key) ?? fallback;
  return new Http2Transport({
    interceptors: settings.interceptors,
    maxReceiveMessageBytes: option('grpc.max_receive_message_length', GRPC_DEFAULT_MESSAGE_BYTES),
    maxSendMessageBytes: option('grpc.max_send_message_length', Number.MAX_SAFE_INTEGER),
    maxConcurrentStreams: option('grpc.max_concurrent_streams', 1000),
    keepaliveTimeMs: option('grpc.keepalive_time_ms', 0),
    keepaliveTimeoutMs: option('grpc.keepalive_timeout_ms', 20_000),
    minClientPingIntervalMs: settings.minClientPingIntervalMs,
    connectionLifetime: {
      idleMs: given('grpc.max_connection_idle_ms'),
      ageMs: given('grpc.max_connection_age_ms'),
      ageGraceMs: given('grpc.max_connection_age_grace_ms'),
    },
    tls: settings.tls,
  });
}
