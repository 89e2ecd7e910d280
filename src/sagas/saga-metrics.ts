import { Counter, Histogram, type Registry } from 'prom-client';
import { RPC_DURATION_BUCKETS } from '../telemetry/metrics.js';
import type { StepKind } from './types.js';

/** What the orchestrator reports; `NO_SAGA_METRICS` when no registry is given. */
export interface SagaObserver {
  started(saga: string): void;
  /** Another instance's saga was taken over (its lease had expired). */
  resumed(saga: string): void;
  ended(saga: string, outcome: 'completed' | 'compensated' | 'stuck'): void;
  step(saga: string, step: string, kind: StepKind, outcome: 'ok' | 'failed', durationMs: number): void;
}

export const NO_SAGA_METRICS: SagaObserver = { started: () => undefined, resumed: () => undefined, ended: () => undefined, step: () => undefined };

const byRegistry = new WeakMap<Registry, SagaObserver>();

/**
 * `tusk_sagas_started_total{saga}`, `tusk_sagas_resumed_total{saga}`,
 * `tusk_sagas_completed_total`, `tusk_sagas_compensated_total`,
 * `tusk_sagas_stuck_total` and `tusk_saga_step_duration_seconds{saga, step, kind, outcome}`;
 * registered once per registry.
 */
export function sagaMetrics(registry: Registry): SagaObserver {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['saga'], registers: [registry] });
  const started = counter('tusk_sagas_started_total', 'Sagas started by this instance.');
  const resumed = counter('tusk_sagas_resumed_total', 'Sagas this instance took over after their driver stopped renewing its lease.');
  const ended = {
    completed: counter('tusk_sagas_completed_total', 'Sagas whose every step succeeded.'),
    compensated: counter('tusk_sagas_compensated_total', 'Sagas undone in reverse order after a step failed.'),
    stuck: counter('tusk_sagas_stuck_total', 'Sagas whose compensation gave up after its retries: an operator must look.'),
  };
  const duration = new Histogram({ name: 'tusk_saga_step_duration_seconds', help: 'Saga step attempt run time.', labelNames: ['saga', 'step', 'kind', 'outcome'], buckets: RPC_DURATION_BUCKETS, registers: [registry] });
  const observer: SagaObserver = {
    started: (saga) => started.inc({ saga }),
    resumed: (saga) => resumed.inc({ saga }),
    ended: (saga, outcome) => ended[outcome].inc({ saga }),
    step: (saga, step, kind, outcome, durationMs) => duration.observe({ saga, step, kind, outcome }, durationMs / 1000),
  };
  byRegistry.set(registry, observer);
  return observer;
}
