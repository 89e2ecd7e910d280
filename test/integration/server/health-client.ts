// A plain grpc-js client of grpc.health.v1, as a load balancer or kubelet would use it.
import * as grpc from '@grpc/grpc-js';
import { service as healthServiceDefinition } from 'grpc-health-check';

export type HealthClient = grpc.Client & Record<'check' | 'watch', (...args: any[]) => any>;

const HealthClientConstructor = grpc.makeGenericClientConstructor(healthServiceDefinition as unknown as grpc.ServiceDefinition, 'Health');

export function healthClient(address: string): HealthClient {
  return new HealthClientConstructor(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

/** The status string ("SERVING", "NOT_SERVING", ...) of one Check call; rejects with the call's error. */
export function checkHealth(client: HealthClient, service: string, deadline = Date.now() + 5_000): Promise<string> {
  return new Promise((resolve, reject) =>
    client.check({ service }, { deadline }, (error: grpc.ServiceError | null, response: { status: string }) => (error ? reject(error) : resolve(response.status))),
  );
}
