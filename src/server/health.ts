import type { Server } from '@grpc/grpc-js';
import type { ServerTransport } from './transport/index.js';
import { HealthImplementation, type ServingStatus } from 'grpc-health-check';

/** Overall status lives under the empty service name, as grpc.health.v1 specifies. */
export const OVERALL_HEALTH = '';

/** grpc.health.v1 for the hosted services and the server as a whole. */
export class ServerHealth {
  private readonly implementation: HealthImplementation;

  constructor(private readonly services: readonly string[]) {
    this.implementation = new HealthImplementation(
      Object.fromEntries([OVERALL_HEALTH, ...services].map((name) => [name, 'NOT_SERVING' as ServingStatus])),
    );
  }

  /** grpc-health-check only calls addService(), which both transports have. */
  addToServer(server: Pick<ServerTransport, 'addService'>): void {
    this.implementation.addToServer(server as unknown as Server);
  }

  /** Sets every hosted service and the overall status; Watch streams see the change at once. */
  setAll(status: ServingStatus): void {
    for (const name of [...this.services, OVERALL_HEALTH]) this.implementation.setStatus(name, status);
  }
}
