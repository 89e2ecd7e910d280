// test: runs alone (processes killed with -9 and a lease that must expire and be taken over: a second file sharing the 2 cores made both nats cases miss the take-over once in CI)
// Crash recovery with real processes on both providers: the orchestrating
// process is killed with -9 mid-saga and another instance, which had been
// scanning all along without touching the leased saga, finishes it.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSagaStores, type SagaRecord, type SagaStores } from '../../../src/sagas/index.js';
import { decodeJson } from '../../../src/sagas/record-codec.js';
import { waitUntil } from '../../helpers/wait.js';
import type { LedgerFaults, LedgerState } from './ledger-saga.js';
import { sagaProviders } from './providers.js';
import { spawnJsonLineProcess, type JsonLineProcess } from '../../helpers/json-line-process.js';
import { WORKER_SCRIPT } from './saga-worker-process.js';

type WorkerProcess = JsonLineProcess;
const spawnSagaWorker = (env: Record<string, string>): Promise<WorkerProcess> => spawnJsonLineProcess(WORKER_SCRIPT, 'the saga worker', env);

// Long enough that a worker stalled by a busy machine keeps its lease (renewed every third of it).
const LEASE_MS = 2_000;

for (const provider of sagaProviders()) {
  describe(`saga recovery on the ${provider.name} provider`, () => {
    let stores: SagaStores;
    const ledger = join(tmpdir(), `tusk-saga-recovery-${provider.name}-${process.pid}.txt`);
    const workers: WorkerProcess[] = [];
    before(async () => {
      await provider.setup();
      stores = await createSagaStores(provider.config(), { name: 'saga-recovery-test' });
      // The standby instance: it scans all along, and must leave a leased saga alone.
      await worker({});
    });
    after(async () => {
      await Promise.all(workers.map((worker) => worker.kill()));
      await stores?.close();
      await provider.teardown();
      await rm(ledger, { force: true });
    });

    const worker = async (faults: LedgerFaults, start?: LedgerState) => {
      const started = await spawnSagaWorker({
        TEST_EVENTS_CONFIG: JSON.stringify(provider.config()), TEST_LEDGER: ledger, TEST_FAULTS: JSON.stringify(faults), TEST_LEASE_MS: String(LEASE_MS),
        ...(start ? { TEST_START_SAGA: start.label, TEST_START_INPUT: JSON.stringify(start) } : {}),
      });
      workers.push(started);
      return started;
    };
    const record = async (sagaId: string) => {
      const entry = await stores.sagas.get(sagaId);
      return entry ? decodeJson<SagaRecord>(entry.value) : undefined;
    };
    const ledgerOf = async (label: string) =>
      (await readFile(ledger, 'utf8').catch(() => '')).split('\n').filter((line) => line.startsWith(`${label} `)).map((line) => line.slice(label.length + 1));

    /** The doomed worker keeps renewing its lease while it hangs: the standby must leave the saga alone until the kill. */
    const killWhileLeased = async (doomed: WorkerProcess, sagaId: string) => {
      await doomed.waitFor('hanging');
      const hungAt = Date.now();
      const holder = (await record(sagaId))?.lease?.holder;
      // Renewed by the same holder after the hang began: the standby, scanning every 50 ms, left it alone.
      await waitUntil(async () => {
        const lease = (await record(sagaId))?.lease;
        return lease?.holder === holder && lease!.untilMs > hungAt + 1.25 * LEASE_MS;
      }, 20_000, 'the hanging worker to renew its lease');
      const before = await ledgerOf(sagaId);
      await doomed.kill();
      return before;
    };
    const finished = (sagaId: string) => {
      let last: SagaRecord | undefined;
      return waitUntil(async () => {
        last = await record(sagaId);
        return last && ['completed', 'compensated', 'stuck'].includes(last.status) ? last : undefined;
      }, 20_000, () => `saga ${sagaId} to end (now ${JSON.stringify(last)}; the standby's warnings: ${workers[0]?.stderr() || 'none'})`);
    };

    it('finishes a saga whose process died between a step\'s work and its record, running that step once', async () => {
      const sagaId = `crash-forward-${provider.name}`;
      const doomed = await worker({ hangAfter: 'b:action' }, { label: sagaId });
      const beforeKill = await killWhileLeased(doomed, sagaId);
      assert.deepEqual(beforeKill, ['a:action', 'b:action'], 'the standby touched the saga while its lease was held');
      const ended = await finished(sagaId);
      assert.equal(ended.status, 'completed');
      // b is repeated under the same idempotency key after the crash: its work is not.
      assert.deepEqual(await ledgerOf(sagaId), ['a:action', 'b:action', 'c:action']);
      assert.deepEqual((ended.state as { done: string[] }).done, ['a:action', 'b:action', 'c:action']);
      assert.equal(ended.lease, null);
    });

    it('finishes the compensation, in reverse order, of a saga whose process died mid-compensation', async () => {
      const sagaId = `crash-undo-${provider.name}`;
      const doomed = await worker({ hangBefore: 'b:compensation' }, { label: sagaId, failAt: ['c:action'] });
      const beforeKill = await killWhileLeased(doomed, sagaId);
      assert.deepEqual(beforeKill, ['a:action', 'b:action', 'c:action', 'c:compensation']);
      const ended = await finished(sagaId);
      assert.equal(ended.status, 'compensated');
      assert.deepEqual(await ledgerOf(sagaId), ['a:action', 'b:action', 'c:action', 'c:compensation', 'b:compensation', 'a:compensation']);
    });
  });
}
