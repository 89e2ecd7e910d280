import type { ServiceDescriptor } from '../config/service-definition.js';

/**
 * Root of every generated `<Svc>Base`. The descriptor travels with the
 * instance so `server.add(new UserService())` needs nothing else.
 *
 * Optional lifecycle hook, `onStart()`: TuskServer awaits it (for all hosted
 * services in parallel) after the port is bound and before the service is
 * registered or reported SERVING. Open connections, load caches, warm up there;
 * while it runs, health answers NOT_SERVING and no registry lists the instance.
 * If it throws, start() rejects and nothing stays bound or registered.
 */
export abstract class ServiceBase {
  abstract readonly descriptor: ServiceDescriptor;
  onStart?(): Promise<void> | void;
}
