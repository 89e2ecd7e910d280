import type { ClientOptions } from './client-options.js';
import type { EndpointSource } from './endpoint-set.js';
import { TransportPool } from './transport-pool.js';
import type { Transport } from './transport.js';

/** Where a client's transports come from, and (for one given Transport) its only endpoint. */
export interface TransportChoice {
  readonly pool: TransportPool;
  /** Set when a Transport instance was given: discovery is bypassed. */
  readonly source: EndpointSource | undefined;
}

/**
 * `ClientOptions.transport`: a Transport instance is the client's one
 * endpoint, borrowed (the caller may share it between clients, so closing the
 * client leaves it open); a factory replaces grpc-js for the discovered
 * addresses, in a pool of this client's own. Without either, `grpcPool`: the
 * process-wide grpc-js pool for the client's connection limits.
 */
export function transportChoice(options: ClientOptions, grpcPool: TransportPool): TransportChoice {
  const transport = options.transport;
  if (transport === undefined) return { pool: grpcPool, source: undefined };
  if (typeof transport === 'function') return { pool: new TransportPool(transport), source: undefined };
  if (options.endpoints !== undefined || options.registry !== undefined) {
    throw new TypeError('tusk-grpc: pass either a transport or endpoints/registry to createClient(), not both');
  }
  const shared = borrowed(transport);
  return { pool: new TransportPool(() => shared), source: { addresses: [transport.address] } };
}

function borrowed(transport: Transport): Transport {
  return {
    address: transport.address,
    ...(transport.secure === undefined ? {} : { secure: transport.secure }),
    unary: (path, request, options) => transport.unary(path, request, options),
    serverStream: (path, request, options) => transport.serverStream(path, request, options),
    clientStream: (path, requests, options) => transport.clientStream(path, requests, options),
    bidiStream: (path, requests, options) => transport.bidiStream(path, requests, options),
    close: () => {},
  };
}
