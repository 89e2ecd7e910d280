// Orchestrated sagas (issue 14): ordered steps with compensations, state
// persisted after every transition (JetStream KV or a local folder), finished
// by any instance after a crash; and the server side of idempotency keys.
export type { SagaRetryPolicy, SagaDefinition, SagaHistoryEntry, SagaLease, SagaOutcome, SagaRecord, SagaStatus, SagaStep, SagaStepContext, StepKind, StepResult } from './types.js';
export { defineSaga, DEFAULT_ACTION_RETRY, DEFAULT_COMPENSATION_RETRY, DEFAULT_STEP_TIMEOUT_MS, type SagaSpec } from './define-saga.js';
export { SagaOrchestrator, type RunOptions, type SagaOrchestratorOptions } from './orchestrator.js';
export { createSagaStores, IDEMPOTENCY_BUCKET, SAGA_BUCKET, type CreateSagaStoresOptions, type SagaStores } from './create-stores.js';
export type { VersionedEntry, VersionedStore } from './versioned-store.js';
export { idempotent, COMPENSATED_BEFORE_ACTION, type IdempotentCall, type IdempotentRun, type MessageCodec } from './idempotency.js';
export { IDEMPOTENCY_KEY_HEADER, idempotencyKey, parseIdempotencyKey, type ParsedIdempotencyKey } from './idempotency-key.js';
export { backoffDelayMs, isRetryableError } from './state-machine.js';
export { sagaMetrics, type SagaObserver } from './saga-metrics.js';
