// The example user store lists users in creation order, even when one instance
// creates several within the same millisecond (an import stream on a fast
// machine); the e2e shop test relies on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserStore } from '../../../examples/user-service/user-store.js';

test('users created back to back list in the order they were created', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'user-store-'));
  try {
    const store = new UserStore(dir);
    const created: string[] = [];
    // No awaits between the adds' id choices: all of them fall in the same millisecond or two.
    const added = await Promise.all(Array.from({ length: 50 }, (_, index) => store.add(`User ${index}`, `user-${index}@example.com`)));
    for (const user of added) created.push(user.name);
    assert.deepEqual((await store.list()).map((user) => user.name), created);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
