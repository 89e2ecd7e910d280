// The one storage primitive sagas and idempotency records need: a key-value
// map whose writes are compare-and-set on a revision, so two instances never
// both win a write (the lease and "first call wins" rest on it). One provider
// per file: kv-store.ts (JetStream KV), folder-store.ts (local folder).
import { createHash } from 'node:crypto';

export interface VersionedEntry {
  readonly value: string;
  /** Grows with every write of the key; the `revision` an update must name. */
  readonly revision: number;
}

export interface VersionedStore {
  get(key: string): Promise<VersionedEntry | undefined>;
  /** Writes a key that does not exist yet; undefined when it exists (someone else created it first). */
  create(key: string, value: string): Promise<number | undefined>;
  /** Writes the key if it is still at `revision`; undefined when another write came first. */
  update(key: string, value: string, revision: number): Promise<number | undefined>;
  /** Every key written so far (keys longer than MAX_READABLE_KEY are listed as their hash). */
  keys(): Promise<string[]>;
}

/** Longer keys are stored under their hash: file names and KV tokens have length limits. */
const MAX_READABLE_KEY = 120;
const HASHED_PREFIX = 'h_';
const ENCODED_PREFIX = 'k_';

/** A key as both providers store it: only [A-Za-z0-9_-], valid as a KV key and as a file name. */
export function storageKey(key: string): string {
  if (key.length <= MAX_READABLE_KEY) return ENCODED_PREFIX + Buffer.from(key).toString('base64url');
  return HASHED_PREFIX + createHash('sha256').update(key).digest('hex');
}

export function keyFromStorage(stored: string): string {
  return stored.startsWith(ENCODED_PREFIX) ? Buffer.from(stored.slice(ENCODED_PREFIX.length), 'base64url').toString() : stored;
}
