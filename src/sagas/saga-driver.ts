// Drives one saga while holding its lease: runs the current step, persists the
// transition (compare-and-set on the record's revision), and renews the lease
// meanwhile. A failed compare-and-set means another instance took the saga:
// this one stops at once and drops what its running step returned.
import { setTimeout as sleep } from 'node:timers/promises';
import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import type { Logger } from '../telemetry/logger-types.js';
import { idempotencyKey, IDEMPOTENCY_KEY_HEADER } from './idempotency-key.js';
import { decodeJson, encodeJson } from './record-codec.js';
import type { SagaObserver } from './saga-metrics.js';
import { afterFailure, afterSuccess, currentKind } from './state-machine.js';
import { TERMINAL_STATUSES, type SagaDefinition, type SagaRecord, type SagaStep, type SagaStepContext, type StepResult } from './types.js';
import type { VersionedStore } from './versioned-store.js';

export interface DriverDeps {
  readonly store: VersionedStore;
  /** This instance, as written in the lease. */
  readonly holder: string;
  readonly leaseMs: number;
  readonly logger: Logger;
  readonly observer: SagaObserver;
  /** Aborted when the orchestrator stops: the driver hands the saga back after the running step. */
  readonly stopping: AbortSignal;
}

/** ended: the record is terminal. lost: another instance holds it. handed-back: this instance stopped first. */
export type DriveEnd<State> = { readonly end: 'ended'; readonly record: SagaRecord<State> } | { readonly end: 'lost' | 'handed-back' };

type Attempt<State> = { ok: true; patch: StepResult<State> } | { ok: false; error: unknown };

export class SagaDriver<State> {
  #record: SagaRecord<State>;
  #revision: number;
  #writes: Promise<void> = Promise.resolve();
  readonly #lost = new AbortController();

  constructor(private readonly definition: SagaDefinition<State>, record: SagaRecord<State>, revision: number, private readonly deps: DriverDeps) {
    this.#record = record;
    this.#revision = revision;
  }

  async drive(): Promise<DriveEnd<State>> {
    const heartbeat = setInterval(() => void this.#write((current) => current).catch(() => undefined), Math.max(10, Math.floor(this.deps.leaseMs / 3)));
    const either = AbortSignal.any([this.#lost.signal, this.deps.stopping]);
    try {
      while (!TERMINAL_STATUSES.has(this.#record.status)) {
        if (this.#lost.signal.aborted) return { end: 'lost' };
        if (this.deps.stopping.aborted) return await this.#handBack();
        const wait = this.#record.notBeforeMs - Date.now();
        if (wait > 0) await sleep(wait, undefined, { signal: either }).catch(() => undefined);
        if (either.aborted) continue;
        await this.#attemptCurrentStep();
      }
      return { end: 'ended', record: this.#record };
    } finally {
      clearInterval(heartbeat);
    }
  }

  async #handBack(): Promise<DriveEnd<State>> {
    // Lease cleared: another instance may take the saga on its next scan instead of waiting out the lease.
    await this.#write((current) => current, { release: true }).catch(() => undefined);
    return { end: 'handed-back' };
  }

  async #attemptCurrentStep(): Promise<void> {
    const record = this.#record;
    const kind = currentKind(record);
    const step = this.definition.steps[record.step]!;
    const run = kind === 'action' ? step.action : step.compensate;
    let next: SagaRecord<State>;
    if (!run) {
      next = afterSuccess(this.definition, record, undefined, Date.now(), 'skipped');
    } else {
      const startedAt = performance.now();
      const attempt = await this.#runWithTimeout(step, run, record);
      if (this.#lost.signal.aborted) return;
      this.deps.observer.step(this.definition.name, step.name, kind, attempt.ok ? 'ok' : 'failed', performance.now() - startedAt);
      next = attempt.ok ? afterSuccess(this.definition, record, attempt.patch, Date.now()) : afterFailure(this.definition, record, attempt.error, Date.now());
      if (!attempt.ok) this.deps.logger.debug({ saga_id: record.id, step: step.name, kind, attempt: record.attempts + 1, err: attempt.error }, 'saga step attempt failed');
    }
    if (!(await this.#storeTransition(next))) return;
    this.#reportTransition(record, next);
  }

  /** Keeps trying while the store is away (a broker restart); false when the saga was lost or this instance stops. */
  async #storeTransition(next: SagaRecord<State>): Promise<boolean> {
    for (let delayMs = 50; ; delayMs = Math.min(delayMs * 2, 1_000)) {
      try {
        await this.#write(() => next);
        return !this.#lost.signal.aborted;
      } catch (error) {
        // Stopping without the write: the lease runs out and another instance repeats the step under the same idempotency key.
        if (this.deps.stopping.aborted) return false;
        this.deps.logger.warn({ saga_id: next.id, err: error }, 'cannot store the saga transition yet; retrying');
        await sleep(delayMs);
      }
    }
  }

  #reportTransition(before: SagaRecord<State>, after: SagaRecord<State>): void {
    const fields = { saga: after.saga, saga_id: after.id };
    if (before.status === 'running' && after.status === 'compensating') this.deps.logger.info({ ...fields, error: after.error }, 'saga compensating');
    if (after.status === 'completed' || after.status === 'compensated') this.deps.observer.ended(after.saga, after.status);
    if (after.status === 'stuck') {
      this.deps.observer.ended(after.saga, 'stuck');
      this.deps.logger.error({ ...fields, step: this.definition.steps[after.step]?.name, error: after.error }, 'saga STUCK: compensation gave up, an operator must finish it');
    }
  }

  async #runWithTimeout(step: SagaStep<State>, run: NonNullable<SagaStep<State>['compensate']>, record: SagaRecord<State>): Promise<Attempt<State>> {
    const kind = currentKind(record);
    const timeoutMs = step.timeoutMs ?? this.definition.timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new TuskError(Code.DEADLINE_EXCEEDED, `${step.name} ${kind} timed out after ${timeoutMs}ms`)), timeoutMs);
    const onLost = (): void => controller.abort(new TuskError(Code.ABORTED, `saga ${record.id} was taken over by another instance`));
    this.#lost.signal.addEventListener('abort', onLost, { once: true });
    // A step that ignores its signal still ends at its timeout (its late result is dropped).
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }));
    const key = idempotencyKey(record.id, step.name, kind);
    const deadline = Date.now() + timeoutMs;
    const ctx: SagaStepContext = {
      sagaId: record.id, saga: record.saga, step: step.name, kind, attempt: record.attempts + 1, idempotencyKey: key, signal: controller.signal, deadline,
      ...(kind === 'compensation' && record.error !== undefined ? { reason: record.error } : {}),
      logger: this.deps.logger.child({ saga: record.saga, saga_id: record.id, step: step.name, kind }),
      call: { metadata: { [IDEMPOTENCY_KEY_HEADER]: key }, deadline, signal: controller.signal },
    };
    try {
      // Each attempt sees the state as a recovering instance would: what the store holds.
      const patch = await Promise.race([run(decodeJson<State>(encodeJson(record.state)), ctx), aborted]);
      return { ok: true, patch };
    } catch (error) {
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
      this.#lost.signal.removeEventListener('abort', onLost);
      aborted.catch(() => undefined);
    }
  }

  /** Writes `change(current record)` with a renewed lease (none once terminal), one write at a time. */
  #write(change: (current: SagaRecord<State>) => SagaRecord<State>, options: { release?: boolean } = {}): Promise<void> {
    const write = this.#writes.then(async () => {
      if (this.#lost.signal.aborted) return;
      const next = change(this.#record);
      const lease = TERMINAL_STATUSES.has(next.status) || options.release ? null : { holder: this.deps.holder, untilMs: Date.now() + this.deps.leaseMs };
      const stored = { ...next, lease, updatedAtMs: Math.max(next.updatedAtMs, this.#record.updatedAtMs) };
      const revision = await this.deps.store.update(next.id, encodeJson(stored), this.#revision);
      if (revision === undefined) {
        this.deps.logger.warn({ saga: next.saga, saga_id: next.id }, 'saga taken over by another instance; this one stops driving it');
        this.#lost.abort();
        return;
      }
      this.#record = stored;
      this.#revision = revision;
    });
    // A store error (broker away) fails this write only; the next renewal tries again.
    this.#writes = write.catch(() => undefined);
    return write;
  }
}
