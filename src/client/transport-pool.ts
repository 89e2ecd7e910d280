import { GrpcTransport } from './grpc-transport.js';
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

/** The process-wide pool every client uses by default. */
export const sharedTransportPool = new TransportPool();
