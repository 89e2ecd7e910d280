import { Code } from '../status/codes.js';
import { TuskError } from '../status/tusk-error.js';
import { isRetryableError } from './state-machine.js';
import type { SagaRetryPolicy, SagaDefinition, SagaStep } from './types.js';

export const DEFAULT_STEP_TIMEOUT_MS = 10_000;
export const DEFAULT_ACTION_RETRY: SagaRetryPolicy = { maxAttempts: 3, backoffMs: [100, 500] };
/** Compensations must end: ten tries over about two minutes, then STUCK for an operator. */
export const DEFAULT_COMPENSATION_RETRY: SagaRetryPolicy = { maxAttempts: 10, backoffMs: [100, 500, 2_000, 5_000, 15_000, 30_000] };

export interface SagaSpec<State> {
  readonly name: string;
  readonly steps: readonly SagaStep<State>[];
  readonly timeoutMs?: number;
  readonly retry?: Partial<SagaRetryPolicy>;
  readonly compensationRetry?: Partial<SagaRetryPolicy>;
  readonly retryable?: (error: unknown) => boolean;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

function invalid(message: string): never {
  throw new TuskError(Code.INVALID_ARGUMENT, message);
}

function checkPolicy(where: string, policy: Partial<SagaRetryPolicy> | undefined): void {
  if (!policy) return;
  if (policy.maxAttempts !== undefined && !(Number.isInteger(policy.maxAttempts) && policy.maxAttempts >= 1)) invalid(`${where} maxAttempts ${policy.maxAttempts} is not a whole number of at least 1`);
  if (policy.backoffMs?.some((delay) => !(Number.isFinite(delay) && delay >= 0))) invalid(`${where} backoffMs [${policy.backoffMs.join(', ')}] holds a delay that is not 0 or more`);
}

/** Checks the declaration once, where it is written, and fills in the defaults. */
export function defineSaga<State>(spec: SagaSpec<State>): SagaDefinition<State> {
  if (!NAME.test(spec.name)) invalid(`saga name ${JSON.stringify(spec.name)} may only hold letters, digits, ".", "-" and "_"`);
  if (spec.steps.length === 0) invalid(`saga ${spec.name} has no steps`);
  const seen = new Set<string>();
  for (const step of spec.steps) {
    // The step name is part of the idempotency key `<sagaId>:<step>:<kind>`.
    if (!NAME.test(step.name)) invalid(`saga ${spec.name}: step name ${JSON.stringify(step.name)} may only hold letters, digits, ".", "-" and "_"`);
    if (seen.has(step.name)) invalid(`saga ${spec.name}: two steps are named ${step.name}`);
    seen.add(step.name);
    if (typeof step.action !== 'function') invalid(`saga ${spec.name}: step ${step.name} has no action function`);
    if (step.timeoutMs !== undefined && !(Number.isFinite(step.timeoutMs) && step.timeoutMs > 0)) invalid(`saga ${spec.name}: step ${step.name} timeoutMs ${step.timeoutMs} is not above 0`);
    checkPolicy(`saga ${spec.name}: step ${step.name} retry`, step.retry);
    checkPolicy(`saga ${spec.name}: step ${step.name} compensationRetry`, step.compensationRetry);
  }
  checkPolicy(`saga ${spec.name} retry`, spec.retry);
  checkPolicy(`saga ${spec.name} compensationRetry`, spec.compensationRetry);
  return {
    name: spec.name,
    steps: spec.steps,
    timeoutMs: spec.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    retry: { ...DEFAULT_ACTION_RETRY, ...spec.retry },
    compensationRetry: { ...DEFAULT_COMPENSATION_RETRY, ...spec.compensationRetry },
    retryable: spec.retryable ?? isRetryableError,
  };
}
