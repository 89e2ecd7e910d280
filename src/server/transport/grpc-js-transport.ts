import { Server, ServerCredentials, type ChannelOptions, type ServerInterceptor, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from '../../telemetry/logger-types.js';
import { policeClientPings } from '../ping-policy.js';
import type { ServerTransport } from './transport.js';

const hostPort = (host: string, port: number) => (host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`);

/** @grpc/grpc-js' Server behind the transport interface. */
export class GrpcJsTransport implements ServerTransport {
  readonly name = 'grpc-js';
  private readonly server: Server;

  constructor(
    interceptors: readonly ServerInterceptor[],
    channelOptions: ChannelOptions,
    private readonly credentials: ServerCredentials | undefined,
    private readonly minClientPingIntervalMs: number,
    private readonly logger: Logger,
  ) {
    this.server = new Server({ interceptors: [...interceptors], ...channelOptions });
  }

  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    this.server.addService(definition, implementation);
  }

  async bind(host: string, port: number): Promise<number> {
    const bound = await new Promise<number>((resolve, reject) => {
      // With [tls] cert and key: TLS only, nothing plaintext on the side.
      this.server.bindAsync(hostPort(host, port), this.credentials ?? ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
    });
    policeClientPings(this.server, this.minClientPingIntervalMs, this.logger);
    return bound;
  }

  tryShutdown(done: () => void): void {
    this.server.tryShutdown(() => done());
  }

  forceShutdown(): void {
    this.server.forceShutdown();
  }
}
