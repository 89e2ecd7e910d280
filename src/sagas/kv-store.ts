// The `nats` provider of VersionedStore: a JetStream key-value bucket, whose
// `create`/`update(revision)` are compare-and-set on the stream sequence.
import { JetStreamApiCodes } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Code } from '../status/codes.js';
import { messageOf, TuskError } from '../status/tusk-error.js';
import { isApiError } from '../events/nats-setup.js';
import type { NatsConnection } from '@nats-io/transport-node';
import { keyFromStorage, storageKey, type VersionedEntry, type VersionedStore } from './versioned-store.js';

const isConflict = (error: unknown): boolean =>
  isApiError(error, JetStreamApiCodes.StreamWrongLastSequence) || isApiError(error, JetStreamApiCodes.StreamWrongLastSequenceUnknown);

/**
 * A key listing is a push consumer that ends when it says it delivered the
 * last key; one that never says so would hold the orchestrator's recovery scan
 * (and with it every take-over of an expired lease) forever.
 */
const KEYS_TIMEOUT_MS = 5_000;

export interface KvStoreOptions {
  readonly keysTimeoutMs?: number;
}

export class KvVersionedStore implements VersionedStore {
  private constructor(private readonly kv: KV, private readonly keysTimeoutMs: number) {}

  /** Over an open bucket. */
  static over(kv: KV, options: KvStoreOptions = {}): KvVersionedStore {
    return new KvVersionedStore(kv, options.keysTimeoutMs ?? KEYS_TIMEOUT_MS);
  }

  /** Opens the bucket, creating it (file storage, latest value only) when missing. */
  static async open(nc: NatsConnection, bucket: string, replicas: number): Promise<KvVersionedStore> {
    try {
      return KvVersionedStore.over(await new Kvm(nc).create(bucket, { history: 1, replicas }));
    } catch (error) {
      throw new TuskError(Code.UNAVAILABLE, `JetStream key-value bucket ${bucket} not available: ${messageOf(error)} (is nats-server running with -js?)`);
    }
  }

  async get(key: string): Promise<VersionedEntry | undefined> {
    const entry = await this.kv.get(storageKey(key));
    if (!entry || entry.operation !== 'PUT') return undefined;
    return { value: entry.string(), revision: entry.revision };
  }

  async create(key: string, value: string): Promise<number | undefined> {
    try {
      return await this.kv.create(storageKey(key), value);
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  async update(key: string, value: string, revision: number): Promise<number | undefined> {
    try {
      return await this.kv.update(storageKey(key), value, revision);
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  async keys(): Promise<string[]> {
    const iterator = await this.kv.keys();
    const listing = (async () => {
      const keys: string[] = [];
      for await (const key of iterator) keys.push(keyFromStorage(key));
      return keys;
    })();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        iterator.stop();
        reject(new TuskError(Code.UNAVAILABLE, `listing the keys of the saga bucket took over ${this.keysTimeoutMs} ms; the next scan lists them again`));
      }, this.keysTimeoutMs);
    });
    try {
      return await Promise.race([listing, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}
