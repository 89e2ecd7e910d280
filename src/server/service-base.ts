import type { ServiceDescriptor } from '../config/service-definition.js';

/**
 * Root of every generated `<Svc>Base`. The descriptor travels with the
 * instance so `server.add(new UserService())` needs nothing else.
 */
export abstract class ServiceBase {
  abstract readonly descriptor: ServiceDescriptor;
}
