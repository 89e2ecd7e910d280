// Both store providers for one test file: a private folder, and one real
// nats-server -js on a free loopback port (started once, in `before`).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBrokerConfig } from '../../../src/config/types.js';
import { startNats, type NatsServer } from '../../helpers/nats.js';

export interface SagaProvider {
  readonly name: 'local' | 'nats';
  /** Valid after setup(). */
  config(): EventBrokerConfig;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

const baseSection = (dir: string): Omit<EventBrokerConfig, 'broker' | 'servers'> => ({
  prefix: 'events', stream: 'TUSK_EVENTS', retention: 'limits', maxAgeMs: null, replicas: 1, duplicateWindowMs: 120_000, dir,
});

export function sagaProviders(): SagaProvider[] {
  let dir = '';
  let nats: NatsServer | undefined;
  return [
    {
      name: 'local',
      config: () => ({ ...baseSection(dir), broker: 'local', servers: ['127.0.0.1:4222'] }),
      setup: async () => {
        dir = await mkdtemp(join(tmpdir(), 'tusk-sagas-')); // mkdtemp makes it 0700, as the folder provider demands
      },
      teardown: () => rm(dir, { recursive: true, force: true }),
    },
    {
      name: 'nats',
      config: () => ({ ...baseSection(dir), broker: 'nats', servers: [nats!.endpoint] }),
      setup: async () => {
        nats = await startNats();
      },
      teardown: async () => nats?.destroy(),
    },
  ];
}
