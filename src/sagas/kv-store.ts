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

export class KvVersionedStore implements VersionedStore {
  private constructor(private readonly kv: KV) {}

  /** Opens the bucket, creating it (file storage, latest value only) when missing. */
  static async open(nc: NatsConnection, bucket: string, replicas: number): Promise<KvVersionedStore> {
    try {
      return new KvVersionedStore(await new Kvm(nc).create(bucket, { history: 1, replicas }));
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
    const keys: string[] = [];
    for await (const key of await this.kv.keys()) keys.push(keyFromStorage(key));
    return keys;
  }
}
