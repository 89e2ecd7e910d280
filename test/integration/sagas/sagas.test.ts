// Sagas and idempotency keys on both store providers, in-process: reverse
// compensation after a failure at the last step, a compensation that keeps
// failing ending STUCK on its backoff schedule, and the idempotency helper's
// "runs once" and "compensation before action".
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Code, isTuskError, TuskError } from '../../../src/index.js';
import { waitUntil } from '../../helpers/wait.js';
import { COMPENSATED_BEFORE_ACTION, createSagaStores, defineSaga, idempotencyKey, idempotent, SagaOrchestrator, type SagaStores } from '../../../src/sagas/index.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import { ledgerSaga, TAG_CODEC, TEST_COMPENSATION_RETRY } from './ledger-saga.js';
import { sagaProviders } from './providers.js';

const ledgerOf = async (file: string, label: string) =>
  (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((line) => line.startsWith(`${label} `)).map((line) => line.slice(label.length + 1));

for (const provider of sagaProviders()) {
  describe(`sagas on the ${provider.name} provider`, () => {
    let stores: SagaStores;
    let ledger: string;
    const logLines: string[] = [];
    before(async () => {
      await provider.setup();
      stores = await createSagaStores(provider.config(), { name: 'saga-test' });
      ledger = join(tmpdir(), `tusk-saga-ledger-${provider.name}-${process.pid}.txt`);
    });
    after(async () => {
      await stores?.close();
      await provider.teardown();
      await rm(ledger, { force: true });
    });

    const orchestratorWith = () => {
      const saga = ledgerSaga(ledger, stores.idempotency);
      const registry = new Registry();
      const logger = createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(line) } });
      const orchestrator = new SagaOrchestrator({ store: stores.sagas, sagas: [saga], leaseMs: 1_000, logger, metricsRegistry: registry });
      return { saga, orchestrator, registry };
    };
    const metric = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)!.get()).values.reduce((sum, value) => sum + value.value, 0);

    it('runs every action once and completes', async () => {
      const { saga, orchestrator, registry } = orchestratorWith();
      const outcome = await orchestrator.run(saga, { label: `ok-${provider.name}` });
      assert.equal(outcome.status, 'completed');
      assert.deepEqual(outcome.state.done, ['a:action', 'b:action', 'c:action']);
      assert.deepEqual(await ledgerOf(ledger, `ok-${provider.name}`), ['a:action', 'b:action', 'c:action']);
      assert.equal((await orchestrator.get(outcome.sagaId))?.lease, null);
      assert.equal(await metric(registry, 'tusk_sagas_completed_total'), 1);
      await orchestrator.stop();
    });

    it('compensates in reverse order, the failed last step first, when the last step fails', async () => {
      const { saga, orchestrator, registry } = orchestratorWith();
      const label = `fail-last-${provider.name}`;
      const outcome = await orchestrator.run(saga, { label, failAt: ['c:action'] });
      assert.equal(outcome.status, 'compensated');
      assert.match(outcome.error!, /c action attempt 1: injected failure at c:action/);
      // FAILED_PRECONDITION is an answer, not a hiccup: c's action is not retried.
      assert.deepEqual(await ledgerOf(ledger, label), ['a:action', 'b:action', 'c:action', 'c:compensation', 'b:compensation', 'a:compensation']);
      const stored = await orchestrator.get(outcome.sagaId);
      assert.equal(stored?.status, 'compensated');
      assert.equal(await metric(registry, 'tusk_sagas_compensated_total'), 1);
      await orchestrator.stop();
    });

    it('retries a failing compensation on its backoff schedule, then marks the saga STUCK with the error, a metric and one log line', async () => {
      const { saga, orchestrator, registry } = orchestratorWith();
      const label = `stuck-${provider.name}`;
      const outcome = await orchestrator.run(saga, { label, failAt: ['c:action', 'b:compensation'] });
      assert.equal(outcome.status, 'stuck');
      assert.match(outcome.error!, /compensation gave up after 4 attempts: b compensation attempt 4: injected failure at b:compensation/);
      const attempts = outcome.history.filter((entry) => entry.step === 'b' && entry.kind === 'compensation');
      assert.equal(attempts.length, TEST_COMPENSATION_RETRY.maxAttempts);
      const gaps = attempts.slice(1).map((entry, index) => entry.atMs - attempts[index]!.atMs);
      gaps.forEach((gap, index) => {
        const planned = TEST_COMPENSATION_RETRY.backoffMs[index]!;
        assert.ok(gap >= planned && gap < planned + 1_000, `gap ${index + 1} was ${gap} ms, planned ${planned} ms (gaps ${gaps.join(', ')})`);
      });
      // Each retry really ran (a failed compensation is not replayed from the idempotency record); a never ran.
      assert.deepEqual(await ledgerOf(ledger, label), ['a:action', 'b:action', 'c:action', 'c:compensation', 'b:compensation', 'b:compensation', 'b:compensation', 'b:compensation']);
      assert.equal(await metric(registry, 'tusk_sagas_stuck_total'), 1);
      assert.equal(logLines.filter((line) => line.includes(outcome.sagaId) && line.includes('STUCK')).length, 1);
      const stored = await orchestrator.get(outcome.sagaId);
      assert.equal(stored?.status, 'stuck');
      assert.equal(stored?.lease, null);
      await orchestrator.stop();
    });

    it('joins a saga whose id already exists instead of starting it twice', async () => {
      const { saga, orchestrator } = orchestratorWith();
      const sagaId = `twice-${provider.name}`;
      const [first, second] = await Promise.all([orchestrator.run(saga, { label: sagaId }, { sagaId }), orchestrator.run(saga, { label: sagaId }, { sagaId })]);
      assert.equal(first.status, 'completed');
      assert.equal(second.status, 'completed');
      assert.deepEqual(await ledgerOf(ledger, sagaId), ['a:action', 'b:action', 'c:action']);
      await orchestrator.stop();
    });

    it('stop() lets the running step finish, then hands the saga back: another instance takes it at once (past an unreadable record), without waiting out the lease', async () => {
      let openGate!: () => void;
      const gate = new Promise<void>((resolve) => (openGate = resolve));
      let entered = false;
      const trail: string[] = [];
      const handOff = defineSaga<{ n: number }>({
        name: 'hand-off',
        steps: [
          { name: 'slow', action: async () => { entered = true; await gate; trail.push('slow'); } },
          { name: 'last', action: async () => void trail.push('last') },
        ],
      });
      const first = new SagaOrchestrator({ store: stores.sagas, sagas: [handOff], leaseMs: 60_000, logger: createLogger({ level: 'silent' }) });
      const sagaId = `hand-off-${provider.name}`;
      const running = first.run(handOff, { n: 1 }, { sagaId });
      await waitUntil(() => entered, 5_000, 'the slow step to start');
      const stopped = first.stop();
      openGate();
      await assert.rejects(running, (error: unknown) => isTuskError(error) && error.code === Code.UNAVAILABLE && /another instance finishes it/.test(error.message));
      await stopped;
      const handedBack = await first.get(sagaId);
      assert.deepEqual({ status: handedBack?.status, step: handedBack?.step, lease: handedBack?.lease }, { status: 'running', step: 1, lease: null });
      // An unreadable record in the store must not keep the scan from the others.
      await stores.sagas.create(`garbage-${provider.name}`, '{not json');
      // A lease of a minute: only a handed-back saga can be taken this soon.
      const second = new SagaOrchestrator({ store: stores.sagas, sagas: [handOff], leaseMs: 60_000, recoverIntervalMs: 50, logger: createLogger({ level: 'silent' }) });
      second.start();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      const outcome = await second.outcome(sagaId, controller.signal).finally(() => clearTimeout(timer));
      assert.equal(outcome.status, 'completed');
      assert.deepEqual(trail, ['slow', 'last']);
      await second.stop();
    });

    it('idempotency: a repeated key returns the recorded result and runs the work once; a recorded business error is replayed', async () => {
      let runs = 0;
      const call = { metadata: { 'tusk-idempotency-key': idempotencyKey(`idem-${provider.name}`, 'charge', 'action') } };
      const work = async () => ({ tag: `run ${++runs}` });
      assert.deepEqual(await idempotent(call, stores.idempotency, TAG_CODEC, work), { tag: 'run 1' });
      assert.deepEqual(await idempotent(call, stores.idempotency, TAG_CODEC, work), { tag: 'run 1' });
      assert.equal(runs, 1);

      const declined = { metadata: { 'tusk-idempotency-key': idempotencyKey(`declined-${provider.name}`, 'charge', 'action') } };
      const decline = async () => {
        runs += 1;
        throw new TuskError(Code.FAILED_PRECONDITION, 'declined');
      };
      for (let repeat = 0; repeat < 2; repeat += 1) {
        await assert.rejects(idempotent(declined, stores.idempotency, TAG_CODEC, decline), (error: unknown) => isTuskError(error) && error.code === Code.FAILED_PRECONDITION && error.message === 'declined');
      }
      assert.equal(runs, 2);
    });

    it('idempotency: a transient failure is not an outcome, so the next call with the key runs again; a concurrent repeat is told to retry', async () => {
      const call = { metadata: { 'tusk-idempotency-key': idempotencyKey(`flaky-${provider.name}`, 'charge', 'action') } };
      let runs = 0;
      await assert.rejects(idempotent(call, stores.idempotency, TAG_CODEC, async () => {
        runs += 1;
        throw new Error('connection reset');
      }), /connection reset/);
      let release!: () => void;
      const slow = idempotent(call, stores.idempotency, TAG_CODEC, async () => {
        runs += 1;
        await new Promise<void>((resolve) => (release = resolve));
        return { tag: 'second' };
      });
      await waitUntil(() => release, 5_000, 'the second run to start');
      await assert.rejects(idempotent(call, stores.idempotency, TAG_CODEC, async () => ({ tag: 'third' })), (error: unknown) => isTuskError(error) && error.code === Code.UNAVAILABLE);
      release();
      assert.deepEqual(await slow, { tag: 'second' });
      assert.equal(runs, 2);
    });

    it('idempotency: a compensation that arrives before its action is recorded, and the late action is refused with ABORTED', async () => {
      const sagaId = `early-undo-${provider.name}`;
      let actionRuns = 0;
      const undo = await idempotent({ metadata: { 'tusk-idempotency-key': idempotencyKey(sagaId, 'charge', 'compensation') } }, stores.idempotency, TAG_CODEC, async (run) => ({ tag: `action ran: ${run.actionRan}` }));
      assert.deepEqual(undo, { tag: 'action ran: false' });
      await assert.rejects(
        idempotent({ metadata: { 'tusk-idempotency-key': idempotencyKey(sagaId, 'charge', 'action') } }, stores.idempotency, TAG_CODEC, async () => ({ tag: `ran ${++actionRuns}` })),
        (error: unknown) => isTuskError(error) && error.code === Code.ABORTED && error.details?.errorInfo?.reason === COMPENSATED_BEFORE_ACTION,
      );
      assert.equal(actionRuns, 0);
      // And after a real action, the compensation learns it ran.
      const ran = `ran-then-undone-${provider.name}`;
      await idempotent({ metadata: { 'tusk-idempotency-key': idempotencyKey(ran, 'charge', 'action') } }, stores.idempotency, TAG_CODEC, async () => ({ tag: 'charged' }));
      const later = await idempotent({ metadata: { 'tusk-idempotency-key': idempotencyKey(ran, 'charge', 'compensation') } }, stores.idempotency, TAG_CODEC, async (run) => ({ tag: `action ran: ${run.actionRan}` }));
      assert.deepEqual(later, { tag: 'action ran: true' });
    });
  });
}
