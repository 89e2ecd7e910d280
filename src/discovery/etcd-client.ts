// One etcd3 client per Registry, tuned so that recovery after an etcd outage
// takes about a second instead of etcd3's defaults (5 s breaker, 30 s watch backoff).
import { Etcd3, isRecoverableError } from 'etcd3';
import type { EtcdSecurityOptions } from './etcd-security.js';
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen } from 'cockatiel';

export interface EtcdClientOptions {
  /** host:port (or http(s)://host:port) of each etcd member. */
  readonly endpoints: readonly string[];
  /** Deadline of each unary call, so a black-holed etcd cannot hang registration. */
  readonly callTimeoutMs: number;
  /** TLS credentials and username/password (etcd-security.ts); with credentials every member is dialled https. */
  readonly security?: EtcdSecurityOptions;
}

export const DEFAULT_ETCD_ENDPOINT = '127.0.0.1:2379';

export function createEtcdClient(options: EtcdClientOptions): Etcd3 {
  const endpoints = options.endpoints.length > 0 ? options.endpoints : [DEFAULT_ETCD_ENDPOINT];
  const scheme = options.security?.credentials === undefined ? 'http' : 'https';
  const hosts = endpoints.map((endpoint) => (/^https?:\/\//.test(endpoint) ? endpoint : `${scheme}://${endpoint}`));
  return new Etcd3({
    hosts,
    ...options.security,
    // Streams (watch, keepalive) live for long; only unary calls get a deadline.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + options.callTimeoutMs }),
    faultHandling: {
      // Skip a dead member quickly, but probe it again soon: a single-member
      // cluster must be usable within a second of coming back.
      host: () =>
        circuitBreaker(handleWhen((error) => error instanceof Error && isRecoverableError(error)), {
          halfOpenAfter: 500,
          breaker: new ConsecutiveBreaker(3),
        }),
      watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1_000 }).next(),
    },
  });
}

/**
 * etcd3 1.1.2 opens its one shared watch stream with the auth token it holds
 * at that moment, and etcd checks every watch created on that stream against
 * it. Once that token expired or etcd restarted (simple tokens live in
 * memory), each new watch is cancelled "invalid auth token" until the stream
 * is reopened, and etcd3 never reopens it for that reason. This closes the
 * stream so etcd3 dials a new one, with the token renewed by the unary call
 * made just before (etcd3 renews on a refused unary call). It reaches into
 * etcd3's WatchManager, hence the defensive shape checks.
 */
export function reopenWatchStream(client: Etcd3): void {
  const manager = (client as unknown as { watchManager?: { state?: unknown; stream?: { cancel?: () => void } } }).watchManager;
  const CONNECTED = 2; // etcd3's WatchManager State.Connected
  if (manager?.state === CONNECTED && typeof manager.stream?.cancel === 'function') manager.stream.cancel();
}
