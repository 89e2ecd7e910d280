// The events side of a TuskServer: one broker per distinct [events] broker
// config (normally one per process), the generated publishers wired to it,
// and every [subscriptions] handler subscribed and drained like an RPC.
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../config/config-error.js';
import type { ServiceDescriptor } from '../config/service-definition.js';
import type { EventBrokerConfig, ResolvedDescriptor } from '../config/types.js';
import { createEventBroker } from '../events/create-broker.js';
import type { EventBroker, EventHandler, Subscription } from '../events/types.js';
import type { Logger } from '../telemetry/logger-types.js';
import { tuskMetrics } from '../telemetry/metrics.js';
import { useEventBroker, type ServiceBase } from './service-base.js';

/** How long closing a broker may take once its handlers are done or abandoned. */
const BROKER_CLOSE_MS = 2_000;

interface HostedService {
  readonly service: ServiceBase;
  readonly config: ResolvedDescriptor;
}

function brokerKey(config: EventBrokerConfig): string {
  const { broker, servers, prefix, stream, retention, maxAgeMs, replicas, duplicateWindowMs, dir } = config;
  return JSON.stringify({ broker, servers, prefix, stream, retention, maxAgeMs, replicas, duplicateWindowMs, dir });
}

/**
 * Whether the service declares any events, after checking that the .tsk read
 * now subscribes exactly the handlers the code was generated with (a handler
 * added to the .tsk without regenerating has no method to call).
 */
function declaresEvents(descriptor: ServiceDescriptor, config: ResolvedDescriptor): boolean {
  const generated = descriptor.events?.subscriptions ?? {};
  const source = config.source ?? `${descriptor.name} (no .tsk)`;
  const mismatch = (handler: string, detail: string): ConfigError => new ConfigError(source, `[subscriptions] ${handler}`, `${detail}: regenerate after changing [subscriptions]`);
  for (const [handler, policy] of Object.entries(config.subscriptions)) {
    const type = Object.hasOwn(generated, handler) ? generated[handler] : undefined;
    if (!type) throw mismatch(handler, `the generated code of ${descriptor.name} has no handler ${handler}`);
    if (type.fullName !== policy.event) throw mismatch(handler, `the generated ${handler} takes ${type.fullName}, not ${policy.event}`);
  }
  for (const handler of Object.keys(generated)) {
    if (!Object.hasOwn(config.subscriptions, handler)) throw mismatch(handler, `the generated code of ${descriptor.name} has the handler ${handler}, which the .tsk no longer subscribes`);
  }
  return Object.keys(generated).length > 0 || Object.keys(descriptor.events?.publishes ?? {}).length > 0;
}

export class EventHosting {
  readonly #brokers = new Map<string, EventBroker>();
  readonly #publishing: ServiceBase[] = [];
  readonly #subscriptions: Subscription[] = [];
  #stopping: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  /** Opens the brokers the services need (none when no service declares events) and lets each publish. */
  async open(hosted: readonly HostedService[]): Promise<void> {
    for (const { service, config } of hosted) {
      if (!declaresEvents(service.descriptor, config)) continue;
      const key = brokerKey(config.events);
      let broker = this.#brokers.get(key);
      if (!broker) {
        broker = await createEventBroker(config.events, { source: service.descriptor.name, logger: this.logger, metricsRegistry: tuskMetrics().registry });
        this.#brokers.set(key, broker);
      }
      useEventBroker(service, broker);
      this.#publishing.push(service);
    }
  }

  /** Subscribes every handler, bound to its service; after onStart(), so handlers find the service ready. */
  async subscribe(hosted: readonly HostedService[]): Promise<void> {
    for (const { service, config } of hosted) {
      const types = service.descriptor.events?.subscriptions ?? {};
      for (const [handler, policy] of Object.entries(config.subscriptions)) {
        const method = (service as unknown as Record<string, unknown>)[handler];
        if (typeof method !== 'function') throw new TypeError(`tusk-grpc: ${service.descriptor.name} has no method ${handler}() for [subscriptions] ${handler}`);
        const broker = this.#brokers.get(brokerKey(config.events))!;
        const subscription = await broker.subscribe({
          group: policy.group,
          type: types[handler]!,
          handler: method.bind(service) as EventHandler<unknown>,
          maxDeliver: policy.maxDeliver,
          backoffMs: policy.backoffMs,
          ackWaitMs: policy.ackWaitMs,
          concurrency: policy.concurrency,
        });
        this.#subscriptions.push(subscription);
        this.logger.info({ service: service.descriptor.name, handler, event_type: policy.event, group: policy.group }, 'subscribed');
      }
    }
  }

  /** Stops taking events; the returned promise resolves once the running handlers ended. */
  stopTaking(): Promise<void> {
    this.#stopping ??= Promise.allSettled(this.#subscriptions.map((subscription) => subscription.stop())).then(() => undefined);
    return this.#stopping;
  }

  /** Waits up to `ms` for the running handlers; false (and a warning) when some outlive it. */
  async drained(ms: number): Promise<boolean> {
    const done = await Promise.race([this.stopTaking().then(() => true), sleep(Math.max(0, ms), false, { ref: false })]);
    if (!done) this.logger.warn('shutdown grace passed with event handlers still running; their events are redelivered after ack_wait');
    return done;
  }

  /** Publishing ends, then each broker closes (bounded: a handler still running past the grace is abandoned). */
  async close(): Promise<void> {
    for (const service of this.#publishing.splice(0)) useEventBroker(service, undefined);
    const brokers = [...this.#brokers.values()];
    this.#brokers.clear();
    await Promise.all(brokers.map(async (broker) => {
      const closed = broker.close().then(() => true, (error: unknown) => {
        this.logger.warn({ err: error }, 'closing the event broker failed');
        return true;
      });
      if (!(await Promise.race([closed, sleep(BROKER_CLOSE_MS, false, { ref: false })]))) this.logger.warn('the event broker did not close in time');
    }));
  }
}
