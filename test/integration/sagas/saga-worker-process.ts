// One orchestrator instance in its own process, so a test can kill -9 it mid-saga.
// Environment: TEST_EVENTS_CONFIG (an EventBrokerConfig as JSON), TEST_LEDGER (file),
// TEST_FAULTS (LedgerFaults as JSON), TEST_LEASE_MS, TEST_START_SAGA (a saga id to
// start, with TEST_START_INPUT as its state; else the worker only recovers). Prints {"event":"ready"}, {"event":"hanging","tag":...}.
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EventBrokerConfig } from '../../../src/config/types.js';
import { createSagaStores, SagaOrchestrator } from '../../../src/sagas/index.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { ledgerSaga, type LedgerFaults, type LedgerState } from './ledger-saga.js';

const print = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

async function main(): Promise<void> {
  const config = JSON.parse(process.env.TEST_EVENTS_CONFIG!) as EventBrokerConfig;
  const stores = await createSagaStores(config, { name: 'saga-worker' });
  const faults = JSON.parse(process.env.TEST_FAULTS ?? '{}') as LedgerFaults;
  const saga = ledgerSaga(process.env.TEST_LEDGER!, stores.idempotency, { ...faults, onHang: (tag) => print({ event: 'hanging', tag }) });
  const orchestrator = new SagaOrchestrator({
    store: stores.sagas, sagas: [saga], leaseMs: Number(process.env.TEST_LEASE_MS), recoverIntervalMs: 50, logger: createLogger({ level: 'warn', destination: process.stderr }),
  });
  orchestrator.start();
  print({ event: 'ready' });
  const sagaId = process.env.TEST_START_SAGA;
  if (sagaId) {
    const outcome = await orchestrator.run(saga, JSON.parse(process.env.TEST_START_INPUT!) as LedgerState, { sagaId });
    print({ event: 'ended', status: outcome.status });
  }
}

export const WORKER_SCRIPT = fileURLToPath(import.meta.url);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
