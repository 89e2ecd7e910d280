import type { ServerInterceptor } from '@grpc/grpc-js';
import type { Registry } from '../discovery/types.js';
import type { Logger } from '../telemetry/logger-types.js';
import type { ServerMiddleware } from './middleware.js';
import type { ServerAuthHook, ServerCallHook } from './server-hooks.js';

/** Everything is optional: by default the first service's descriptor decides. */
export interface TuskServerOptions {
  /** Port to bind; default the first service's `[service] port`; 0 = any free port. */
  readonly port?: number;
  /** Address to bind; default the first service's `[service] host` ("0.0.0.0"). */
  readonly host?: string;
  /**
   * Host written to the registry. Default: TUSK_ADVERTISE_HOST or the
   * descriptor's `advertise_host`, else `host` when it names one address, else
   * (wildcard bind) the first non-internal interface address for etcd and
   * 127.0.0.1 for the local registry (advertise-host.ts).
   */
  readonly advertiseHost?: string;
  /** grpc-js server interceptors, run after the built-in chain, closest to the handler. */
  readonly interceptors?: readonly ServerInterceptor[];
  /**
   * Around every handler, the first outermost, after the interceptors: sees
   * the call's context, its message(s) and its outcome (a thrown TuskError).
   */
  readonly middleware?: readonly ServerMiddleware[];
  /** Register here instead of in a registry built from each descriptor's [discovery]; not closed by stop(). */
  readonly registry?: Registry;
  /** Default: pino JSON on stdout at TUSK_LOG_LEVEL or the descriptor's level. */
  readonly logger?: Logger;
  /** Drain and exit(0) on SIGTERM/SIGINT; default true. */
  readonly handleSignals?: boolean;
  /** Environment the descriptors are resolved against; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Time between deregistering and closing; default `[server] drain_delay`, else what the registry needs (the longest of the services). */
  readonly drainDelayMs?: number;
  /** Default: the longest `[server] shutdown_grace` of the hosted services. */
  readonly shutdownGraceMs?: number;
  /** Default: the largest `[server] max_receive_message_bytes` of the hosted services (grpc-js applies one limit per server). */
  readonly maxReceiveMessageBytes?: number;
  /** Default: on for the services whose `[server] reflection` is true (the default) and that carry a descriptor set. */
  readonly reflection?: boolean;
  /** Published as `instance_id` in registry metadata; default host-pid-random. */
  readonly instanceId?: string;
  /** Metrics stage of the interceptor chain (filled by telemetry); default no-op. */
  readonly metrics?: ServerCallHook;
  /** Trace stage of the interceptor chain (filled by telemetry); default no-op. */
  readonly trace?: ServerCallHook;
  /** Auth stage: refuse a call by throwing a TuskError; default the one built from the services' [auth] (none without). */
  readonly auth?: ServerAuthHook;
}
