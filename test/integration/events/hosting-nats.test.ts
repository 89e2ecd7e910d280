// TuskServer hosting [subscriptions] on a real nats-server -js (one per file, temp store).
import { after, before } from 'node:test';
import { startNats, type NatsServer } from '../../helpers/nats.js';
import { hostingSemantics } from './hosting-semantics.js';

let server: NatsServer;
before(async () => {
  server = await startNats();
});

hostingSemantics({
  brokerConfig: (prefix, stream) => ({ broker: 'nats', servers: [server.endpoint], prefix, stream, retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir: '/nonexistent' }),
  env: () => ({ TUSK_EVENTS: 'nats', TUSK_NATS_SERVERS: server.endpoint }),
});

// After the servers of the semantics have stopped.
after(async () => {
  await server?.destroy();
});
