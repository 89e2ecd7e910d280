// The production provider: instances registered under leases in etcd, in the
// layout etcd's Go gRPC naming resolver reads, watched incrementally.
import type { Etcd3 } from 'etcd3';
import type { Logger } from '../telemetry/logger-types.js';
import type { EndpointsListener, Registration, RegistrationHandle, Registry } from './types.js';
import { createEtcdClient, DEFAULT_ETCD_ENDPOINT } from './etcd-client.js';
import { etcdStartupError } from './etcd-errors.js';
import type { EtcdSecurityOptions } from './etcd-security.js';
import { EtcdRegistration } from './etcd-registration.js';
import { EtcdServiceWatch } from './etcd-service-watch.js';
import { assertAdvertisableAddress, encodeEndpointValue, instanceKey, serviceKeyPrefix } from './keys.js';

export interface EtcdRegistryOptions {
  /** host:port of each etcd member. */
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly ttlMs: number;
  readonly logger: Logger;
  /** Deadline of each unary etcd call; default 5 s. */
  readonly callTimeoutMs?: number;
  /** Told whether etcd keeps this registry's leases alive (true after each keepalive, false when one is lost). */
  readonly onConnectionChange?: (connected: boolean) => void;
  /** TLS and username/password for etcd (etcdSecurityOptions); default none. */
  readonly security?: EtcdSecurityOptions;
}

export class EtcdRegistry implements Registry {
  /** Watch events arrive within milliseconds; the rest is slack for a loaded client. */
  readonly removalVisibleWithinMs = 1_000;
  readonly sharedAcrossMachines = true;
  /** One client for everything this registry does; closed by close(). */
  readonly client: Etcd3;
  private readonly registrations = new Set<EtcdRegistration>();
  private readonly watches = new Set<EtcdServiceWatch>();
  private closing: Promise<void> | null = null;
  private readonly callTimeoutMs: number;

  constructor(private readonly options: EtcdRegistryOptions) {
    this.callTimeoutMs = options.callTimeoutMs ?? 5_000;
    this.client = createEtcdClient({ endpoints: options.endpoints, callTimeoutMs: this.callTimeoutMs, ...(options.security ? { security: options.security } : {}) });
  }

  async register(registration: Registration): Promise<RegistrationHandle> {
    this.assertOpen();
    assertAdvertisableAddress(registration.address);
    const key = instanceKey(this.options.prefix, registration.service, registration.address);
    const entry = new EtcdRegistration({
      client: this.client,
      key,
      value: encodeEndpointValue(registration),
      ttlMs: this.options.ttlMs,
      logger: this.options.logger.child({ registryKey: key }),
      ...(this.options.onConnectionChange ? { onConnectionChange: this.options.onConnectionChange } : {}),
      onClosed: (closed) => this.registrations.delete(closed),
    });
    this.registrations.add(entry);
    try {
      await entry.start();
    } catch (error) {
      await entry.deregister();
      const endpoints = this.options.endpoints.length > 0 ? this.options.endpoints : [DEFAULT_ETCD_ENDPOINT];
      throw etcdStartupError(error, endpoints, this.callTimeoutMs);
    }
    return entry;
  }

  watch(service: string, listener: EndpointsListener): () => void {
    this.assertOpen();
    const watch = new EtcdServiceWatch({
      client: this.client,
      keyPrefix: serviceKeyPrefix(this.options.prefix, service),
      listener,
      logger: this.options.logger.child({ watchedService: service }),
    });
    this.watches.add(watch);
    watch.start();
    return () => {
      if (!this.watches.delete(watch)) return;
      void watch.stop();
    };
  }

  /** Revokes every lease still held, stops every watch and closes the client. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const watches = [...this.watches];
      this.watches.clear();
      await Promise.all([...watches.map((watch) => watch.stop()), ...[...this.registrations].map((entry) => entry.deregister())]);
      this.client.close();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new Error('registry is closed');
  }
}
