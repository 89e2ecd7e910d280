// The saga's transitions as pure functions of the record: what the driver
// persists after each attempt. No I/O, no clock (now is passed in).
import { Code } from '../status/codes.js';
import { isTuskError, messageOf } from '../status/tusk-error.js';
import type { SagaRetryPolicy, SagaDefinition, SagaRecord, StepKind } from './types.js';

/** Failures that say "no" rather than "not now": retrying the same call gives the same answer. */
const BUSINESS_FAILURES: ReadonlySet<Code> = new Set([
  Code.INVALID_ARGUMENT, Code.NOT_FOUND, Code.ALREADY_EXISTS, Code.PERMISSION_DENIED, Code.FAILED_PRECONDITION,
  Code.ABORTED, Code.OUT_OF_RANGE, Code.UNIMPLEMENTED, Code.UNAUTHENTICATED,
]);

export function isRetryableError(error: unknown): boolean {
  return !(isTuskError(error) && BUSINESS_FAILURES.has(error.code));
}

/** Delay after failed attempt n (1-based): entry n-1 of the schedule, the last one repeating. */
export function backoffDelayMs(policy: SagaRetryPolicy, failedAttempt: number): number {
  if (policy.backoffMs.length === 0) return 0;
  return policy.backoffMs[Math.min(failedAttempt, policy.backoffMs.length) - 1]!;
}

export function newSagaRecord<State>(id: string, saga: string, state: State, nowMs: number): SagaRecord<State> {
  return { id, saga, status: 'running', step: 0, attempts: 0, notBeforeMs: 0, state, history: [], lease: null, createdAtMs: nowMs, updatedAtMs: nowMs };
}

export function currentKind(record: SagaRecord): StepKind {
  return record.status === 'compensating' ? 'compensation' : 'action';
}

function merge<State>(state: State, patch: Partial<State> | void): State {
  return patch ? { ...state, ...patch } : state;
}

/** The step's action (or compensation) succeeded: on to the next step, or to the previous one when compensating. */
export function afterSuccess<State>(definition: SagaDefinition<State>, record: SagaRecord<State>, patch: Partial<State> | void, nowMs: number, outcome: 'ok' | 'skipped' = 'ok'): SagaRecord<State> {
  const kind = currentKind(record);
  const stepName = definition.steps[record.step]!.name;
  const history = [...record.history, { step: stepName, kind, outcome, attempt: record.attempts + 1, atMs: nowMs }];
  const base = { ...record, state: merge(record.state, patch), attempts: 0, notBeforeMs: 0, history, updatedAtMs: nowMs };
  if (kind === 'action') {
    const next = record.step + 1;
    return next >= definition.steps.length ? { ...base, status: 'completed', step: next, lease: null } : { ...base, step: next };
  }
  const previous = record.step - 1;
  return previous < 0 ? { ...base, status: 'compensated', step: 0, lease: null } : { ...base, step: previous };
}

/**
 * An attempt failed. Another attempt after the backoff while the policy allows;
 * then a failed action turns the saga to compensating (from this very step),
 * and a failed compensation makes it STUCK.
 */
export function afterFailure<State>(definition: SagaDefinition<State>, record: SagaRecord<State>, error: unknown, nowMs: number): SagaRecord<State> {
  const kind = currentKind(record);
  const step = definition.steps[record.step]!;
  const attempt = record.attempts + 1;
  const message = `${step.name} ${kind} attempt ${attempt}: ${messageOf(error)}`;
  const history = [...record.history, { step: step.name, kind, outcome: 'failed' as const, attempt, atMs: nowMs, error: messageOf(error) }];
  const policy = policyOf(definition, record.step, kind);
  const mayRetry = kind === 'compensation' || definition.retryable(error);
  if (mayRetry && attempt < policy.maxAttempts) {
    return { ...record, attempts: attempt, notBeforeMs: nowMs + backoffDelayMs(policy, attempt), history, updatedAtMs: nowMs };
  }
  if (kind === 'action') {
    return { ...record, status: 'compensating', attempts: 0, notBeforeMs: 0, error: message, history, updatedAtMs: nowMs };
  }
  return { ...record, status: 'stuck', attempts: attempt, error: `compensation gave up after ${attempt} attempts: ${message}`, history, lease: null, updatedAtMs: nowMs };
}

export function policyOf<State>(definition: SagaDefinition<State>, stepIndex: number, kind: StepKind): SagaRetryPolicy {
  const step = definition.steps[stepIndex]!;
  const base = kind === 'action' ? definition.retry : definition.compensationRetry;
  return { ...base, ...(kind === 'action' ? step.retry : step.compensationRetry) };
}
