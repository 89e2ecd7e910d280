// One consumer instance in its own process, so a test can kill -9 it
// mid-handler. Its handler prints {"event":"handling","id":...,"attempt":N}
// and never finishes. Config comes from the environment: TEST_EVENTS_CONFIG
// (an EventBrokerConfig as JSON), TEST_EVENT_TYPE, TEST_GROUP, TEST_ACK_WAIT_MS.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { User } from '../../gen/user/v1/user.js';
import type { EventBrokerConfig } from '../../src/config/types.js';
import { createEventBroker, eventType } from '../../src/events/index.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { waitUntil } from './wait.js';

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

export interface ConsumerProcess {
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** Spawns the helper with this process' loader flags (tsx, conditions), minus the test runner's own. */
export async function spawnConsumerProcess(env: Record<string, string>): Promise<ConsumerProcess> {
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));
  const child: ChildProcess = spawn(process.execPath, [...execArgv, fileURLToPath(import.meta.url)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-20_000);
  });
  createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ text });
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const waitFor = (event: string, timeoutMs = 30_000) =>
    waitUntil(() => {
      const found = lines.find((line) => line.event === event);
      if (!found && gone()) throw new Error(`consumer process exited; stderr:\n${stderr}`);
      return found;
    }, timeoutMs, () => `the consumer process to print ${event} (stderr: ${stderr.slice(-2000)})`);
  const kill = async () => {
    if (!gone()) child.kill('SIGKILL');
    await exited;
  };
  try {
    await waitFor('ready');
  } catch (error) {
    await kill();
    throw error;
  }
  return { waitFor, kill };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
