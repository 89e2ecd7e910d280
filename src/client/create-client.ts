import type { ServiceDescriptor } from '../config/service-definition.js';
import type { ClientOptions } from './client-options.js';

/**
 * The engine behind every generated `create<Svc>Client(options?)`: one method
 * per RPC, keyed by localName, each running the call pipeline.
 */
export function createClient<Client>(descriptor: ServiceDescriptor, options: ClientOptions = {}): Client {
  void options;
  throw new Error(`tusk-grpc: client runtime not implemented yet (${descriptor.name})`);
}
