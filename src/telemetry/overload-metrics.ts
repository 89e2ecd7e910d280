import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdmissionObserver } from '../overload/admission.js';

const byRegistry = new WeakMap<Registry, AdmissionObserver>();

/**
 * The admission stage's metrics, registered once per registry:
 * `tusk_server_concurrency_limit`, `tusk_server_admitted_in_flight` (set every
 * gate interval) and `tusk_server_shed_total{reason, priority}`.
 */
export function overloadMetrics(registry: Registry): AdmissionObserver {
  let observer = byRegistry.get(registry);
  if (observer) return observer;
  const limit = new Gauge({ name: 'tusk_server_concurrency_limit', help: 'Current concurrency limit of the admission stage (calls at once).', registers: [registry] });
  const inFlight = new Gauge({ name: 'tusk_server_admitted_in_flight', help: 'Admitted calls holding a slot of the concurrency limit.', registers: [registry] });
  const shed = new Counter({
    name: 'tusk_server_shed_total', help: 'Calls refused at admission, by reason (OVERLOADED, DEADLINE_TOO_SHORT) and priority.',
    labelNames: ['reason', 'priority'], registers: [registry],
  });
  observer = {
    state: (currentLimit, currentInFlight) => {
      limit.set(currentLimit);
      inFlight.set(currentInFlight);
    },
    shed: (reason, priority) => shed.inc({ reason, priority }),
  };
  byRegistry.set(registry, observer);
  return observer;
}
