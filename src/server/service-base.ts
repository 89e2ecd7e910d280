import type { ClientOptions } from '../client/client-options.js';
import { callerDescriptor } from '../config/client-policy.js';
import type { ServiceDescriptor } from '../config/service-definition.js';
import type { EventBroker, EventType, PublishOptions, PublishReceipt } from '../events/types.js';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';

/**
 * Root of every generated `<Svc>Base`. The descriptor travels with the
 * instance so `server.add(new UserService())` needs nothing else.
 *
 * Optional lifecycle hook, `onStart()`: TuskServer awaits it (for all hosted
 * services in parallel) after the port is bound and before the service is
 * registered or reported SERVING. Open connections, load caches, warm up there;
 * while it runs, health answers NOT_SERVING and no registry lists the instance.
 * If it throws, start() rejects and nothing stays bound or registered.
 *
 * Optional `onStop()`: awaited (all services in parallel) once the server has
 * drained and closed, before stop() resolves and so before the process exits
 * on SIGTERM. Close database pools and flush queues there. It also runs when
 * start() fails after this service's onStart() succeeded. If it throws, the
 * error is logged and stop() rejects (a SIGTERM exit code 1). Clients built
 * with clientOf() are closed after it, so a stopped server keeps no discovery
 * watch alive.
 *
 * Events: a generated base has a typed `publish<Message>(event, options?)`
 * per `[events] publishes` entry and an abstract handler per
 * `[subscriptions]` block; TuskServer opens the broker and hosts them
 * (docs/events.md).
 */
export abstract class ServiceBase {
  abstract readonly descriptor: ServiceDescriptor;
  onStart?(): Promise<void> | void;
  onStop?(): Promise<void> | void;

  /**
   * A client that calls as this service, so this service's `[dependencies]`
   * entry for the target applies: `this.clientOf(createUserServiceClient)`.
   * `options` override that entry; naming another caller in them is an error.
   */
  clientOf<Client>(factory: (options?: ClientOptions) => Client, options: ClientOptions = {}): Client {
    const own = this.descriptor;
    if (options.caller !== undefined && callerDescriptor(options.caller) !== own) {
      throw new TypeError(`clientOf(): options.caller is ${callerDescriptor(options.caller).name}, but ${own.name} is building this client; a client has one caller`);
    }
    const client = factory({ ...options, caller: own });
    const clients = ownClients.get(this) ?? [];
    clients.push(client as object);
    ownClients.set(this, clients);
    return client;
  }

  /**
   * What the generated `publish<Message>()` methods call. Resolves once the
   * broker stored the event; rejects with FAILED_PRECONDITION while the
   * service is not hosted by a started TuskServer (which opens the broker).
   */
  protected publishEvent<T>(type: EventType<T>, event: T, options: PublishOptions = {}): Promise<PublishReceipt> {
    const broker = eventBrokers.get(this);
    if (!broker) {
      return Promise.reject(new TuskError(Code.FAILED_PRECONDITION, `${this.descriptor.name} can publish ${type.fullName} only while a TuskServer hosts it (start() opens the broker of its [events])`));
    }
    return broker.publish(type, event, { source: this.descriptor.name, ...options });
  }
}

/** The broker each hosted service publishes through, set by the server hosting it. */
const eventBrokers = new WeakMap<ServiceBase, EventBroker>();

/**
 * Lets `service` publish through `broker` (undefined: no longer). TuskServer
 * calls it on start; a test that hosts a service without one (the in-memory
 * transport) gives it a broker of its own with this.
 */
export function useEventBroker(service: ServiceBase, broker: EventBroker | undefined): void {
  if (broker) eventBrokers.set(service, broker);
  else eventBrokers.delete(service);
}

/** Clients built with clientOf(), per service: the server closes them when it stops. */
const ownClients = new WeakMap<ServiceBase, object[]>();

/** Takes the clients `service` built with clientOf() (each is handed out once). */
export function takeOwnClients(service: ServiceBase): object[] {
  const clients = ownClients.get(service) ?? [];
  ownClients.delete(service);
  return clients;
}
