import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KV } from '@nats-io/kv';
import { KvVersionedStore } from '../../../src/sagas/kv-store.js';
import { Code } from '../../../src/status/codes.js';
import { TuskError } from '../../../src/status/tusk-error.js';

/** A bucket whose key listing yields `keys`, then never ends (nor says it is done) unless stopped. */
function bucketListing(keys: string[]) {
  let stopped = false;
  let wake: (() => void) | undefined;
  const iterator = {
    stop: () => {
      stopped = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      yield* keys;
      await new Promise<void>((resolve) => (wake = resolve));
    },
  };
  const kv = { keys: async () => iterator } as unknown as KV;
  return { kv, stopped: () => stopped };
}

test('a key listing that never ends fails the scan with UNAVAILABLE in bounded time, and stops the listing', async () => {
  const listing = bucketListing(['saga_one']);
  const store = KvVersionedStore.over(listing.kv, { keysTimeoutMs: 50 });
  const started = Date.now();
  await assert.rejects(store.keys(), (error: unknown) => error instanceof TuskError && error.code === Code.UNAVAILABLE && /keys/.test(error.message));
  assert.ok(Date.now() - started < 5_000);
  assert.equal(listing.stopped(), true);
});
