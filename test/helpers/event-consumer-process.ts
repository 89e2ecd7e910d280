// One consumer instance in its own process, so a test can kill -9 it
// mid-handler. Its handler prints {"event":"handling","id":...,"attempt":N}
// and never finishes. Config comes from the environment: TEST_EVENTS_CONFIG
// (an EventBrokerConfig as JSON), TEST_EVENT_TYPE, TEST_GROUP, TEST_ACK_WAIT_MS.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { User } from '../../gen/user/v1/user.js';
import type { EventBrokerConfig } from '../../src/config/types.js';
import { createEventBroker, eventType } from '../../src/events/index.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { spawnJsonLineProcess, type JsonLineProcess } from './json-line-process.js';

const print = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const config = JSON.parse(process.env.TEST_EVENTS_CONFIG!) as EventBrokerConfig;
  const broker = await createEventBroker(config, { source: 'doomed-consumer', logger: createLogger({ level: 'silent' }), pollMs: 20, idleHeartbeatMs: 1000 });
  await broker.subscribe({
    group: process.env.TEST_GROUP!,
    type: eventType(process.env.TEST_EVENT_TYPE!, User),
    ackWaitMs: Number(process.env.TEST_ACK_WAIT_MS),
    concurrency: 1,
    handler: async (event, ctx) => {
      print({ event: 'handling', id: event.id, attempt: ctx.attempt });
      await new Promise(() => undefined); // killed before this ends
    },
  });
  print({ event: 'ready' });
}

export type ConsumerProcess = JsonLineProcess;

export const spawnConsumerProcess = (env: Record<string, string>): Promise<ConsumerProcess> =>
  spawnJsonLineProcess(fileURLToPath(import.meta.url), 'the consumer process', env);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
