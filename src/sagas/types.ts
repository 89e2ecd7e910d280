import type { Logger } from '../telemetry/logger-types.js';

export type StepKind = 'action' | 'compensation';

export interface SagaRetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Delay before attempt n+1 after attempt n failed, ms; the last entry repeats. */
  readonly backoffMs: readonly number[];
}

/** What a step gets besides the saga's state. */
export interface SagaStepContext {
  readonly sagaId: string;
  readonly saga: string;
  readonly step: string;
  readonly kind: StepKind;
  /** 1 on the first attempt; counted across crashes (it is persisted). */
  readonly attempt: number;
  /** `<sagaId>:<step>:<action|compensation>`: the same on every attempt, on every instance. */
  readonly idempotencyKey: string;
  /** For a compensation: why the saga is being undone (the failed step and its error). */
  readonly reason?: string;
  /** Aborted at the step's timeout, or when this instance lost the saga. */
  readonly signal: AbortSignal;
  readonly deadline: number;
  readonly logger: Logger;
  /** Spread into a generated client's CallOptions: carries the idempotency key, deadline and signal. */
  readonly call: { readonly metadata: Readonly<Record<string, string>>; readonly deadline: number; readonly signal: AbortSignal };
}

/** A step may return fields to merge into the state (kept as JSON; bigint and Date are kept too). */
export type StepResult<State> = Partial<State> | void;

export interface SagaStep<State> {
  readonly name: string;
  readonly action: (state: State, ctx: SagaStepContext) => Promise<StepResult<State>>;
  /**
   * Undoes the action. It also runs for the step whose action failed (a timed-out action may have
   * taken effect), so it must treat "nothing to undo" as success. Left out: nothing to undo.
   */
  readonly compensate?: (state: State, ctx: SagaStepContext) => Promise<StepResult<State>>;
  /** Per attempt; default the saga's (10 s). */
  readonly timeoutMs?: number;
  /** Action retries; default the saga's. */
  readonly retry?: Partial<SagaRetryPolicy>;
  /** Compensation retries before the saga is STUCK; default the saga's. */
  readonly compensationRetry?: Partial<SagaRetryPolicy>;
}

export interface SagaDefinition<State> {
  /** Unique per orchestrator: the recovering instance finds the steps by it. */
  readonly name: string;
  readonly steps: readonly SagaStep<State>[];
  readonly timeoutMs: number;
  readonly retry: SagaRetryPolicy;
  readonly compensationRetry: SagaRetryPolicy;
  /** Whether a failed action is worth another attempt; default: all but the business failures (isRetryableError). */
  readonly retryable: (error: unknown) => boolean;
}

export type SagaStatus = 'running' | 'compensating' | 'completed' | 'compensated' | 'stuck';
export const TERMINAL_STATUSES: ReadonlySet<SagaStatus> = new Set(['completed', 'compensated', 'stuck']);

export interface SagaHistoryEntry {
  readonly step: string;
  readonly kind: StepKind;
  readonly outcome: 'ok' | 'failed' | 'skipped';
  readonly attempt: number;
  readonly atMs: number;
  readonly error?: string;
}

export interface SagaLease {
  readonly holder: string;
  readonly untilMs: number;
}

/** What is persisted after every transition. */
export interface SagaRecord<State = unknown> {
  readonly id: string;
  readonly saga: string;
  readonly status: SagaStatus;
  /** The step to run (running) or to compensate (compensating). */
  readonly step: number;
  /** Attempts already made at that step in this phase. */
  readonly attempts: number;
  /** No attempt before this time (the backoff survives a crash). */
  readonly notBeforeMs: number;
  readonly state: State;
  /** Why the saga compensates, or why it is stuck. */
  readonly error?: string;
  readonly history: readonly SagaHistoryEntry[];
  /** Who drives the saga and until when; null once it ended or was handed back. */
  readonly lease: SagaLease | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** How run() ends. */
export interface SagaOutcome<State> {
  readonly sagaId: string;
  readonly status: 'completed' | 'compensated' | 'stuck';
  readonly state: State;
  /** Why it compensated or is stuck. */
  readonly error?: string;
  readonly history: readonly SagaHistoryEntry[];
}
