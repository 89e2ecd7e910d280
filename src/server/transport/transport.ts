import type { ServiceDefinition, UntypedServiceImplementation } from '@grpc/grpc-js';

export type TransportName = 'grpc-js' | 'http2';

/**
 * What TuskServer binds through: grpc-js' Server, or the lean transport on
 * node:http2. Services (ours, health, reflection) add themselves the way
 * grpc-js' Server.addService() takes them, so both serve the same handlers
 * behind the same interceptor chain.
 */
export interface ServerTransport {
  readonly name: TransportName;
  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void;
  /** Listens on host:port (0 = any free port); resolves with the bound port. */
  bind(host: string, port: number): Promise<number>;
  /** Refuses new calls (GOAWAY on every connection), lets the running ones finish; `done` once all connections closed. */
  tryShutdown(done: () => void): void;
  /** Cuts every connection now. */
  forceShutdown(): void;
}
