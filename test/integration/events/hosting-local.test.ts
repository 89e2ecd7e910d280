// TuskServer hosting [subscriptions] on the local provider (a private folder).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { hostingSemantics } from './hosting-semantics.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tusk-hosting-events-'));
});

hostingSemantics({
  brokerConfig: (prefix, stream) => ({ broker: 'local', servers: [], prefix, stream, retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir }),
  env: () => ({ TUSK_EVENTS: 'local', TUSK_EVENTS_DIR: dir }),
});

// After the servers of the semantics have stopped.
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
