import type { EventBrokerConfig } from '../config/types.js';
import type { VersionedStore } from './versioned-store.js';

export const SAGA_BUCKET = 'TUSK_SAGAS';
export const IDEMPOTENCY_BUCKET = 'TUSK_IDEMPOTENCY';
/** Folder names under `[events] dir` (a stream folder is named after its stream, upper case by default). */
const FOLDER_NAMES = { [SAGA_BUCKET]: 'tusk-sagas', [IDEMPOTENCY_BUCKET]: 'tusk-idempotency' } as const;

export interface SagaStores {
  /** Saga records, one key per saga id. */
  readonly sagas: VersionedStore;
  /** Idempotency records, one key per `tusk-idempotency-key`. */
  readonly idempotency: VersionedStore;
  close(): Promise<void>;
}

export interface CreateSagaStoresOptions {
  /** The service, as the NATS connection's name. */
  readonly name: string;
  readonly connectTimeoutMs?: number;
}

/**
 * The stores on the provider `[events]` names, so one switch (TUSK_EVENTS)
 * moves events and sagas together: KV buckets TUSK_SAGAS and TUSK_IDEMPOTENCY
 * with `nats`, folders in `[events] dir` with `local`. The NATS client is loaded only for `nats`.
 */
export async function createSagaStores(config: EventBrokerConfig, options: CreateSagaStoresOptions): Promise<SagaStores> {
  if (config.broker === 'local') {
    const { FolderVersionedStore } = await import('./folder-store.js');
    const [sagas, idempotency] = await Promise.all([
      FolderVersionedStore.open(config.dir, FOLDER_NAMES[SAGA_BUCKET]),
      FolderVersionedStore.open(config.dir, FOLDER_NAMES[IDEMPOTENCY_BUCKET]),
    ]);
    return { sagas, idempotency, close: async () => undefined };
  }
  const [{ connectNats }, { KvVersionedStore }] = await Promise.all([import('../events/nats-connect.js'), import('./kv-store.js')]);
  const nc = await connectNats({ servers: config.servers, name: options.name, ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }) });
  try {
    const [sagas, idempotency] = await Promise.all([
      KvVersionedStore.open(nc, SAGA_BUCKET, config.replicas),
      KvVersionedStore.open(nc, IDEMPOTENCY_BUCKET, config.replicas),
    ]);
    return { sagas, idempotency, close: () => nc.drain().catch(() => nc.close()) };
  } catch (error) {
    await nc.close().catch(() => undefined);
    throw error;
  }
}
