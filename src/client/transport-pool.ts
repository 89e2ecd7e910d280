import { resolveDescriptor } from '../config/resolve-descriptor.js';
import type { ClientConnectionLimits, ClientTransportName } from '../config/types.js';
import type { ClientTls } from '../security/tls/client-tls.js';
import { GrpcTransport } from './grpc-transport.js';
import { Http2ClientTransport } from './http2/index.js';
import type { Transport, TransportFactory } from './transport.js';

interface PooledTransport {
  readonly transport: Transport;
  refs: number;
}

/**
 * One transport per endpoint address for the whole process, shared by every
 * client that talks to it (so N clients of one service hold one HTTP/2
 * connection per instance, not N), closed when the last user releases it.
 */
export class TransportPool {
  private readonly transports = new Map<string, PooledTransport>();

  constructor(private readonly factory: TransportFactory = (address) => new GrpcTransport(address)) {}

  acquire(address: string): Transport {
    let pooled = this.transports.get(address);
    if (pooled === undefined) {
      pooled = { transport: this.factory(address), refs: 0 };
      this.transports.set(address, pooled);
    }
    pooled.refs++;
    return pooled.transport;
  }

  release(address: string): void {
    const pooled = this.transports.get(address);
    if (pooled === undefined) return;
    if (--pooled.refs > 0) return;
    this.transports.delete(address);
    pooled.transport.close();
  }

  /** Addresses with an open transport and how many users each has (for tests and diagnostics). */
  snapshot(): ReadonlyMap<string, number> {
    return new Map([...this.transports].map(([address, pooled]) => [address, pooled.refs]));
  }
}

const limitsKey = (limits: ClientConnectionLimits): string => JSON.stringify([limits.maxReceiveMessageBytes, limits.maxSendMessageBytes, limits.keepalive]);
/** The [client] limits of a descriptor that sets none. */
const DEFAULT_LIMITS: ClientConnectionLimits = resolveDescriptor({}, null, 'defaults', {}).client;

/** The process-wide pool of every client whose target keeps the default [client] limits and transport. */
export const sharedTransportPool = new TransportPool((address) => new GrpcTransport(address, DEFAULT_LIMITS));

const poolsByLimits = new Map<string, TransportPool>([[limitsKey(DEFAULT_LIMITS), sharedTransportPool]]);

/**
 * The process-wide pool for clients with these [client] limits, transport
 * and TLS: clients with the same ones share connections; different ones need
 * their own (grpc-js sets them per channel).
 */
export function transportPoolFor(limits: ClientConnectionLimits, tls?: ClientTls, transport: ClientTransportName = 'grpc-js'): TransportPool {
  const base = transport === 'grpc-js' ? limitsKey(limits) : `${transport} ${limitsKey(limits)}`;
  const key = tls === undefined ? base : `${base} tls ${tls.key}`;
  let pool = poolsByLimits.get(key);
  if (pool === undefined) {
    const factory: TransportFactory = transport === 'http2'
      ? (address) => new Http2ClientTransport(address, { limits, ...(tls === undefined ? {} : { tls: tls.lean }) })
      : (address) => new GrpcTransport(address, limits, tls);
    poolsByLimits.set(key, (pool = new TransportPool(factory)));
  }
  return pool;
}
